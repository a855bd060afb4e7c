package io.imagefleet.retain;

import static org.assertj.core.api.Assertions.assertThat;

import io.imagefleet.cli.CliRun;
import io.imagefleet.testing.RegistryWire;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * retain against a delete-enabled registry it starts on 127.0.0.1:5002: images of 4 SDK commits
 * (the oldest and the newest also with a two-platform index), --keep-commits 2.
 */
class RetainIT {
  private static final String HOST = "127.0.0.1:5002";
  private static final String NAME = "fleet/agent";
  private static final RegistryWire REGISTRY = new RegistryWire(HOST);

  @TempDir static Path dir;
  private static Process registry;

  @BeforeAll
  static void start() throws Exception {
    registry = RegistryWire.startDeletable(HOST, dir.resolve("registry"));
  }

  @AfterAll
  static void stop() throws Exception {
    if (registry != null) {
      registry.destroy();
      registry.waitFor();
    }
  }

  @Test
  void keepsTheTwoNewestCommitsAndIndexChildrenDeletesTheRestDryRunDeletesNothing()
      throws Exception {
    // given 4 commits, 2 images each; the oldest and newest also have a two-platform index
    String c1a = image("aaaaaa1-one", "2026-01-01T00:00:00Z");
    String c1b = image("aaaaaa1-two", "2026-01-01T00:10:00Z");
    List<String> c1Index = index("aaaaaa1-multi", "2026-01-01T00:20:00Z");
    String c2a = image("bbbbbb2-one", "2026-02-01T00:00:00Z");
    String c2b = image("bbbbbb2-two", "2026-02-01T00:10:00Z");
    String c3a = image("ccccc03-one", "2026-03-01T00:00:00Z");
    String c3b = image("ccccc03-two", "2026-03-01T00:10:00Z");
    // an old commit's tag on the very manifest a kept tag uses
    REGISTRY.putManifest(NAME, "bbbbbb2-shared", REGISTRY.manifest(NAME, "ccccc03-one"));
    String c4a = image("ddddd04-one", "2026-04-01T00:00:00Z");
    List<String> c4Index = index("ddddd04-multi", "2026-04-01T00:20:00Z");
    String cache = image("buildcache", "2025-01-01T00:00:00Z");
    List<String> doomed = new ArrayList<>(List.of(c1a, c1b, c2a, c2b));
    doomed.addAll(c1Index);
    List<String> kept = new ArrayList<>(List.of(c3a, c3b, c4a, cache));
    kept.addAll(c4Index);

    // when a dry run
    CliRun dry = retain("--dry-run");

    // then it names what it would delete and deletes nothing
    assertThat(dry.exitCode()).as(dry.err()).isZero();
    assertThat(dry.out().lines().map(l -> l.split(" ")[2]))
        .containsExactlyInAnyOrderElementsOf(doomed);
    assertThat(dry.out()).contains("would delete " + c1Index.get(0) + " aaaaaa1-multi\n");
    assertThat(dry.err())
        .contains("kept commits ddddd04 ccccc03 (5 tags), would delete 7 manifests")
        .contains("(dry run: nothing deleted)");
    for (String digest : doomed) {
      assertThat(REGISTRY.headManifest(NAME, digest)).as(digest).isEqualTo(200);
    }

    // when for real
    CliRun run = retain();

    // then exactly the two oldest commits' manifests (index children included) are gone
    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.err()).contains("deleted 7 manifests").contains("through the registry API");
    assertThat(run.out()).contains("delete " + c1Index.get(1) + " (index child)\n");
    for (String digest : doomed) {
      assertThat(REGISTRY.headManifest(NAME, digest)).as("deleted " + digest).isEqualTo(404);
    }
    for (String digest : kept) {
      assertThat(REGISTRY.headManifest(NAME, digest)).as("kept " + digest).isEqualTo(200);
    }
    assertThat(REGISTRY.headManifest(NAME, "ddddd04-multi")).isEqualTo(200);
    assertThat(REGISTRY.headManifest(NAME, "bbbbbb2-shared")).isEqualTo(200);
    assertThat(REGISTRY.headManifest(NAME, "aaaaaa1-one")).isEqualTo(404);
  }

  private static CliRun retain(String... more) {
    List<String> args =
        new ArrayList<>(List.of("retain", "--image", HOST + "/" + NAME, "--keep-commits", "2"));
    args.addAll(List.of(more));
    return CliRun.run(Map.of(), args.toArray(String[]::new));
  }

  /** A one-layer OCI image created at {@code created}, tagged; returns its digest. */
  private static String image(String tag, String created) throws Exception {
    return REGISTRY.putManifest(NAME, tag, imageManifest(tag, created));
  }

  private static RegistryWire.Manifest imageManifest(String seed, String created) throws Exception {
    byte[] layer = ("layer of " + seed).getBytes(StandardCharsets.UTF_8);
    byte[] config =
        ("{\"architecture\":\"amd64\",\"os\":\"linux\",\"created\":\""
                + created
                + "\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\""
                + RegistryWire.sha256(layer)
                + "\"]}}")
            .getBytes(StandardCharsets.UTF_8);
    String layerDigest = REGISTRY.putBlob(NAME, layer);
    String configDigest = REGISTRY.putBlob(NAME, config);
    String manifest =
        "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
            + "\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\""
            + configDigest
            + "\",\"size\":"
            + config.length
            + "},\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar\",\"digest\":\""
            + layerDigest
            + "\",\"size\":"
            + layer.length
            + "}]}";
    return new RegistryWire.Manifest(
        manifest.getBytes(StandardCharsets.UTF_8), "application/vnd.oci.image.manifest.v1+json");
  }

  /** A two-platform index, tagged; returns its digest, then its children's. */
  private static List<String> index(String tag, String created) throws Exception {
    List<String> children = new ArrayList<>();
    StringBuilder entries = new StringBuilder();
    for (String arch : List.of("amd64", "arm64")) {
      RegistryWire.Manifest child = imageManifest(tag + "-" + arch, created);
      String digest = REGISTRY.putManifest(NAME, child.digest(), child);
      children.add(digest);
      entries
          .append(entries.length() == 0 ? "" : ",")
          .append("{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"")
          .append(digest)
          .append("\",\"size\":")
          .append(child.bytes().length)
          .append(",\"platform\":{\"architecture\":\"")
          .append(arch)
          .append("\",\"os\":\"linux\"}}");
    }
    String index =
        "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\","
            + "\"manifests\":["
            + entries
            + "]}";
    RegistryWire.Manifest manifest =
        new RegistryWire.Manifest(
            index.getBytes(StandardCharsets.UTF_8), "application/vnd.oci.image.index.v1+json");
    List<String> digests = new ArrayList<>(List.of(REGISTRY.putManifest(NAME, tag, manifest)));
    digests.addAll(children);
    return digests;
  }
}
