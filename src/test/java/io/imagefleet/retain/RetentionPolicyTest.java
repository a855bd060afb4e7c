package io.imagefleet.retain;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The retention decision on its own: recency, --keep-days, shared blobs and index children. */
class RetentionPolicyTest {
  private static final Instant NOW = Instant.parse("2026-11-27T00:00:00Z");

  private final Map<String, String> tags = new LinkedHashMap<>();
  private final Map<String, ManifestNode> nodes = new LinkedHashMap<>();

  @Test
  void keepsTheNewestCommitsAndYoungImagesAndCountsOnlyUnsharedBlobs() {
    image("sha256:01", "1111111-a", "2026-11-01T00:00:00Z", Map.of("L-base", 1000L, "L-1", 10L));
    image("sha256:02", "2222222-a", "2026-11-20T00:00:00Z", Map.of("L-base", 1000L, "L-2", 20L));
    image("sha256:03", "3333333-a", "2026-11-25T00:00:00Z", Map.of("L-base", 1000L, "L-3", 30L));
    image("sha256:04", "0000000-a", "2026-10-01T00:00:00Z", Map.of("L-base", 1000L, "L-4", 40L));

    RetentionPolicy.Plan plan =
        new RetentionPolicy(1, Optional.of(Duration.ofDays(10))).plan(tags, nodes, NOW);

    assertThat(plan.keptCommits()).containsExactly("3333333");
    assertThat(plan.keptTags()).containsExactly("2222222-a", "3333333-a");
    assertThat(plan.deletions()).containsExactly("sha256:01", "sha256:04");
    // the shared base layer stays; each manifest is 100 bytes here
    assertThat(plan.bytesFreed()).isEqualTo(10 + 40 + 2 * 100);
  }

  @Test
  void anIndexGoesBeforeItsChildrenAndAChildAKeptIndexUsesStays() {
    image("sha256:c1", null, "2026-01-01T00:00:00Z", Map.of("L-1", 1L));
    image("sha256:c2", null, "2026-01-01T00:00:00Z", Map.of("L-2", 1L));
    nodes.put(
        "sha256:old",
        new ManifestNode(
            "sha256:old",
            "application/vnd.oci.image.index.v1+json",
            100,
            List.of("sha256:c1", "sha256:c2"),
            Map.of(),
            Optional.of(Instant.parse("2026-01-01T00:00:00Z"))));
    tags.put("aaaaaaa-multi", "sha256:old");
    nodes.put(
        "sha256:new",
        new ManifestNode(
            "sha256:new",
            "application/vnd.oci.image.index.v1+json",
            100,
            List.of("sha256:c2"),
            Map.of(),
            Optional.of(Instant.parse("2026-06-01T00:00:00Z"))));
    tags.put("bbbbbbb-multi", "sha256:new");

    RetentionPolicy.Plan plan = new RetentionPolicy(1, Optional.empty()).plan(tags, nodes, NOW);

    assertThat(plan.deletions()).containsExactly("sha256:old", "sha256:c1");
    assertThat(plan.deletedTagsByDigest())
        .isEqualTo(Map.of("sha256:old", List.of("aaaaaaa-multi")));
  }

  @Test
  void anEnvImageStaysWhileAKeptImageWasAppendedToItAndGoesWithTheLast() {
    // given two env images (phased), the old commit's images on env one, the new commit's on two
    String one = "env-" + "a".repeat(12) + "-bases-1";
    String two = "env-" + "b".repeat(12) + "-bases-1";
    image("sha256:e1", one, "2026-10-01T00:00:00Z", Map.of("L-env-1", 500L));
    image("sha256:e2", two, "2026-11-20T00:00:00Z", Map.of("L-env-2", 500L));
    appended("sha256:01", "1111111-bases-1", "2026-10-02T00:00:00Z", "sha256:e1");
    appended("sha256:02", "2222222-bases-1", "2026-11-21T00:00:00Z", "sha256:e2");

    // when only the newest commit is kept
    RetentionPolicy.Plan plan = new RetentionPolicy(1, Optional.empty()).plan(tags, nodes, NOW);

    // then the env image the kept image was appended to stays, the other goes with its image
    assertThat(plan.deletions()).containsExactlyInAnyOrder("sha256:01", "sha256:e1");
    assertThat(plan.deletedTagsByDigest()).containsEntry("sha256:e1", List.of(one));
    assertThat(plan.deletions()).doesNotContain("sha256:e2");
  }

  @Test
  void theBaseIsTheConfigsBaseDigestLabelWhenItIsADigest() throws Exception {
    com.fasterxml.jackson.databind.ObjectMapper json =
        new com.fasterxml.jackson.databind.ObjectMapper();
    String digest = "sha256:" + "d".repeat(64);
    assertThat(
            RepositoryReader.baseOf(
                json.readTree(
                    "{\"config\":{\"Labels\":{\"org.opencontainers.image.base.digest\":\""
                        + digest
                        + "\"}}}")))
        .contains(digest);
    assertThat(
            RepositoryReader.baseOf(
                json.readTree(
                    "{\"config\":{\"Labels\":{\"org.opencontainers.image.base.digest\":\"../x\"}}}")))
        .isEmpty();
    assertThat(RepositoryReader.baseOf(json.readTree("{}"))).isEmpty();
  }

  @Test
  void aYoungEnvImageAndAnyOtherTagStay() {
    image("sha256:e1", "env-" + "c".repeat(12) + "-x", "2026-11-26T00:00:00Z", Map.of("L", 1L));
    image("sha256:o1", "python-base", "2020-01-01T00:00:00Z", Map.of("L2", 1L));

    RetentionPolicy.Plan plan =
        new RetentionPolicy(1, Optional.of(Duration.ofDays(3))).plan(tags, nodes, NOW);

    assertThat(plan.deletions()).isEmpty();
  }

  private void appended(String digest, String tag, String created, String base) {
    nodes.put(
        digest,
        new ManifestNode(
            digest,
            "application/vnd.oci.image.manifest.v1+json",
            100,
            List.of(),
            Map.of("L-" + digest, 10L),
            Optional.of(Instant.parse(created)),
            Optional.of(base)));
    tags.put(tag, digest);
  }

  private void image(String digest, String tag, String created, Map<String, Long> blobs) {
    nodes.put(
        digest,
        new ManifestNode(
            digest,
            "application/vnd.oci.image.manifest.v1+json",
            100,
            List.of(),
            blobs,
            Optional.of(Instant.parse(created))));
    if (tag != null) {
      tags.put(tag, digest);
    }
  }
}
