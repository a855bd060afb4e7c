package io.imagefleet.retain;

import static org.assertj.core.api.Assertions.assertThat;

import io.imagefleet.cli.CliRun;
import io.imagefleet.docker.Units;
import io.imagefleet.testing.PlatformBases;
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
 * (the oldest and the newest also with a two-platform index), --keep-commits 2; and two commits'
 * indexes as append makes them, kept and deleted through the registry's garbage collection.
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

  @Test
  void anAppendIndexKeepsItsChildrenAndTheirBlobsThroughGarbageCollectionAnOldOneGoes()
      throws Exception {
    // given two commits' two-platform indexes as append makes them: per platform a manifest put
    // by digest (untagged) on that platform's base layer (the same in both commits), the agent
    // layer one blob shared by both platforms; only the index is tagged
    String repo = "fleet/multi";
    AppendIndex old = appendIndex(repo, "aaaaaa1-multi", "2026-01-01T00:00:00Z");
    AppendIndex kept = appendIndex(repo, "bbbbbb2-multi", "2026-02-01T00:00:00Z");

    // when the newest commit is kept and the registry then collects garbage
    CliRun run =
        CliRun.run(Map.of(), "retain", "--image", HOST + "/" + repo, "--keep-commits", "1");
    PlatformBases.run(
        "docker-registry", "garbage-collect", dir.resolve("registry/config.yml").toString());

    // then the kept index, its children and every blob they name are there
    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(REGISTRY.headManifest(repo, "bbbbbb2-multi")).isEqualTo(200);
    for (String child : kept.children()) {
      assertThat(REGISTRY.headManifest(repo, child)).as("kept child " + child).isEqualTo(200);
    }
    for (String blob : kept.blobs()) {
      assertThat(REGISTRY.headBlob(repo, blob)).as("kept blob " + blob).isEqualTo(200);
    }
    // and the old index and its children are gone, with the blobs only they named
    assertThat(REGISTRY.headManifest(repo, old.index())).isEqualTo(404);
    for (String child : old.children()) {
      assertThat(REGISTRY.headManifest(repo, child)).as("old child " + child).isEqualTo(404);
    }
    List<String> oldOnly = new ArrayList<>(old.blobs());
    oldOnly.removeAll(kept.blobs());
    assertThat(oldOnly).hasSize(3); // its agent layer and its two configs
    for (String blob : oldOnly) {
      assertThat(REGISTRY.headBlob(repo, blob)).as("old blob " + blob).isEqualTo(404);
    }
    // and the bytes freed counted those, the base layers both share not
    assertThat(run.err())
        .contains("deleted 3 manifests")
        .contains(Units.human(old.manifestBytes() + old.ownBytes()) + " freed once");
  }

  /**
   * What {@link #appendIndex} put: the index, its children (amd64, arm64), every blob they name,
   * the index's and the children's manifest bytes, and the bytes of the blobs of its own (the agent
   * layer and the configs).
   */
  private record AppendIndex(
      String index, List<String> children, List<String> blobs, long manifestBytes, long ownBytes) {}

  private static AppendIndex appendIndex(String name, String tag, String created) throws Exception {
    RegistryWire wire = new RegistryWire(HOST);
    byte[] agent = ("agent layer of " + tag).repeat(2000).getBytes(StandardCharsets.UTF_8);
    String agentDigest = wire.putBlob(name, agent);
    List<String> children = new ArrayList<>();
    List<String> blobs = new ArrayList<>(List.of(agentDigest));
    long manifestBytes = 0;
    long ownBytes = agent.length;
    StringBuilder entries = new StringBuilder();
    for (String arch : List.of("amd64", "arm64")) {
      byte[] base = ("base layer of " + arch).repeat(20_000).getBytes(StandardCharsets.UTF_8);
      String baseDigest = wire.putBlob(name, base);
      byte[] config =
          ("{\"architecture\":\""
                  + arch
                  + "\",\"os\":\"linux\",\"created\":\""
                  + created
                  + "\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\""
                  + RegistryWire.sha256(base)
                  + "\",\""
                  + RegistryWire.sha256(agent)
                  + "\"]}}")
              .getBytes(StandardCharsets.UTF_8);
      String configDigest = wire.putBlob(name, config);
      ownBytes += config.length;
      blobs.addAll(List.of(baseDigest, configDigest));
      String manifest =
          "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
              + "\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\","
              + "\"digest\":\""
              + configDigest
              + "\",\"size\":"
              + config.length
              + "},\"layers\":["
              + layer(baseDigest, base.length)
              + ","
              + layer(agentDigest, agent.length)
              + "]}";
      RegistryWire.Manifest child =
          new RegistryWire.Manifest(
              manifest.getBytes(StandardCharsets.UTF_8),
              "application/vnd.oci.image.manifest.v1+json");
      children.add(wire.putManifest(name, child.digest(), child));
      manifestBytes += child.bytes().length;
      entries
          .append(entries.length() == 0 ? "" : ",")
          .append("{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"")
          .append(child.digest())
          .append("\",\"size\":")
          .append(child.bytes().length)
          .append(",\"platform\":{\"architecture\":\"")
          .append(arch)
          .append("\",\"os\":\"linux\"")
          .append(arch.equals("arm64") ? ",\"variant\":\"v8\"" : "")
          .append("}}");
    }
    byte[] index =
        ("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\","
                + "\"manifests\":["
                + entries
                + "]}")
            .getBytes(StandardCharsets.UTF_8);
    String digest =
        wire.putManifest(
            name, tag, new RegistryWire.Manifest(index, "application/vnd.oci.image.index.v1+json"));
    return new AppendIndex(digest, children, blobs, manifestBytes + index.length, ownBytes);
  }

  private static String layer(String digest, long size) {
    return "{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\",\"digest\":\""
        + digest
        + "\",\"size\":"
        + size
        + "}";
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
