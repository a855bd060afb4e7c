package io.imagefleet.mirror;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.imagefleet.cli.CliRun;
import io.imagefleet.testing.PlatformBases;
import io.imagefleet.testing.RegistryWire;
import io.imagefleet.testing.TestRegistry;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code mirror --platform linux/amd64,linux/arm64} against the real registry, on busybox bases
 * made here for both platforms: an index of exactly those two is copied byte for byte (its digest
 * stays); an index that also holds an attestation becomes a new OCI index of the two, said so; an
 * index without arm64 is copied with the gap listed, or fails with {@code --missing-platform fail};
 * a second run moves nothing.
 */
class MirrorPlatformsIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Charset UTF8 = StandardCharsets.UTF_8;
  private static final String BOTH = "linux/amd64,linux/arm64";
  private static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";

  @TempDir static Path dir;
  private static String namespace;
  private static RegistryWire wire;
  private static Path ids;
  private static RegistryWire.Manifest both;
  private static RegistryWire.Manifest attested;
  private static RegistryWire.Manifest amdOnly;

  @BeforeAll
  static void bases() throws Exception {
    TestRegistry.require();
    namespace = "t" + UUID.randomUUID().toString().substring(0, 8);
    wire = new RegistryWire(TestRegistry.HOST);
    PlatformBases bases = PlatformBases.create(dir);
    String source = TestRegistry.HOST + "/" + namespace + "/src";
    bases.pushIndex(List.of("amd64", "arm64"), "both", source + ":both");
    bases.pushIndex(List.of("amd64"), "amd-only", source + ":amd-only");
    bases.pushImage("arm64", "arm-image", source + ":arm-image");
    both = wire.manifest(namespace + "/src", "both");
    amdOnly = wire.manifest(namespace + "/src", "amd-only");
    attested = withAttestation(both);
    wire.putManifest(namespace + "/src", "attested", attested);
    ids = Files.write(dir.resolve("ids.txt"), List.of("both", "attested", "amd-only", "arm-image"));
  }

  @Test
  void twoPlatformsKeepAnIndexOfJustThemWholeAndWriteANewOneOtherwise() throws Exception {
    // when mirrored for both platforms, then once more
    CliRun run = mirror("skip", "out-skip", "--platform", BOTH);
    CliRun again = mirror("skip", "out-skip", "--platform", BOTH);

    // then the index of exactly the two is there byte for byte
    assertThat(run.exitCode()).as(run.err()).isZero();
    String target = namespace + "/skip";
    assertThat(wire.manifest(target, "src-both").digest()).isEqualTo(both.digest());
    // the attested index is a new OCI index of the two platform children, without the attestation
    RegistryWire.Manifest rewritten = wire.manifest(target, "src-attested");
    assertThat(rewritten.mediaType()).isEqualTo(PlatformBases.OCI_INDEX);
    assertThat(rewritten.digest()).isNotEqualTo(attested.digest());
    assertThat(childDigests(rewritten)).isEqualTo(childDigests(both));
    for (String child : childDigests(both)) {
      assertThat(wire.headManifest(target, child)).as(child).isEqualTo(200);
      JsonNode image = JSON.readTree(wire.manifest(target, child).bytes());
      String layer = image.path("layers").get(0).path("digest").asText();
      assertThat(wire.headBlob(target, layer)).as(layer).isEqualTo(200);
    }
    assertThat(wire.headManifest(target, attestationDigest())).isEqualTo(404);
    // the index without arm64 is copied as it is and the gap is listed
    assertThat(wire.manifest(target, "src-amd-only").digest()).isEqualTo(amdOnly.digest());
    Map<String, JsonNode> records = records(dir.resolve("out-skip/mirror.jsonl"));
    assertThat(records.get("amd-only").path("missing").toString()).isEqualTo("[\"linux/arm64\"]");
    // and a single arm64 image is copied as it is, lacking amd64
    assertThat(wire.manifest(target, "src-arm-image").digest())
        .isEqualTo(wire.manifest(namespace + "/src", "arm-image").digest());
    assertThat(records.get("arm-image").path("missing").toString()).isEqualTo("[\"linux/amd64\"]");
    assertThat(records.get("attested").path("newIndex").asBoolean()).isTrue();
    assertThat(records.get("both").has("newIndex")).isFalse();
    assertThat(records.get("both").path("platform").asText()).isEqualTo(BOTH);
    String md = Files.readString(dir.resolve("out-skip/mirror.md"));
    assertThat(md)
        .contains("| " + base("amd-only") + " | linux/arm64 | copied whole |")
        .contains("| " + base("attested") + " |  | new index of linux/amd64, linux/arm64 |");
    assertThat(run.err())
        .contains("4 base(s): 4 mirrored, 0 already there, 0 failed")
        .contains("1 new index(es) of the wanted platforms, 2 base(s) missing a platform");
    // and the second run finds each there, its gap still listed
    assertThat(again.exitCode()).as(again.err()).isZero();
    assertThat(again.err()).contains("4 base(s): 0 mirrored, 4 already there, 0 failed; 0 bytes");
    assertThat(records(dir.resolve("out-skip/mirror.jsonl")).get("amd-only").path("missing"))
        .hasSize(1);
  }

  @Test
  void aMissingPlatformFailsItsBaseWithMissingPlatformFail() throws Exception {
    // when mirrored for both platforms with --missing-platform fail
    CliRun run = mirror("fail", "out-fail", "--platform", BOTH, "--missing-platform", "fail");

    // then the bases lacking a platform failed, named, and the others are there
    assertThat(run.exitCode()).as(run.err()).isEqualTo(5);
    assertThat(run.err())
        .contains("4 base(s): 2 mirrored, 0 already there, 2 failed")
        .contains(
            "mirror "
                + base("amd-only")
                + " failed: its index has no linux/arm64 image (--missing-platform fail; skip"
                + " copies the base without it)")
        .contains(
            "mirror "
                + base("arm-image")
                + " failed: it is one linux/arm64/v8 image, no linux/amd64 image"
                + " (--missing-platform fail; skip copies the base without it)");
    assertThat(wire.headManifest(namespace + "/fail", "src-amd-only")).isEqualTo(404);
    assertThat(wire.manifest(namespace + "/fail", "src-both").digest()).isEqualTo(both.digest());
  }

  /** {@code both} with a buildx-style attestation manifest (platform unknown/unknown) added. */
  private static RegistryWire.Manifest withAttestation(RegistryWire.Manifest index)
      throws Exception {
    String name = namespace + "/src";
    byte[] statement = "{\"_type\":\"https://in-toto.io/Statement/v0.1\"}".getBytes(UTF8);
    byte[] config = "{}".getBytes(UTF8);
    ObjectNode manifest = JSON.createObjectNode();
    manifest.put("schemaVersion", 2);
    manifest.put("mediaType", OCI_MANIFEST);
    manifest.set(
        "config",
        descriptor("application/vnd.oci.image.config.v1+json", wire.putBlob(name, config), config));
    manifest
        .putArray("layers")
        .add(descriptor("application/vnd.in-toto+json", wire.putBlob(name, statement), statement));
    RegistryWire.Manifest attestation =
        new RegistryWire.Manifest(JSON.writeValueAsBytes(manifest), OCI_MANIFEST);
    wire.putManifest(name, attestation.digest(), attestation);
    ObjectNode tree = (ObjectNode) JSON.readTree(index.bytes());
    ObjectNode entry = descriptor(OCI_MANIFEST, attestation.digest(), attestation.bytes());
    entry.putObject("platform").put("architecture", "unknown").put("os", "unknown");
    entry
        .putObject("annotations")
        .put("vnd.docker.reference.type", "attestation-manifest")
        .put("vnd.docker.reference.digest", tree.path("manifests").get(0).path("digest").asText());
    ((ArrayNode) tree.get("manifests")).add(entry);
    return new RegistryWire.Manifest(JSON.writeValueAsBytes(tree), PlatformBases.OCI_INDEX);
  }

  private static ObjectNode descriptor(String mediaType, String digest, byte[] bytes) {
    ObjectNode descriptor = JSON.createObjectNode();
    descriptor.put("mediaType", mediaType);
    descriptor.put("digest", digest);
    descriptor.put("size", bytes.length);
    return descriptor;
  }

  private static String attestationDigest() throws Exception {
    JsonNode manifests = JSON.readTree(attested.bytes()).path("manifests");
    return manifests.get(manifests.size() - 1).path("digest").asText();
  }

  private static List<String> childDigests(RegistryWire.Manifest index) throws Exception {
    List<String> digests = new ArrayList<>();
    JSON.readTree(index.bytes())
        .path("manifests")
        .forEach(c -> digests.add(c.path("digest").asText()));
    return digests;
  }

  private static String base(String id) {
    return TestRegistry.HOST + "/" + namespace + "/src:" + id;
  }

  private static CliRun mirror(String repository, String out, String... more) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "mirror",
                "--benchmark",
                "custom",
                "--dataset",
                ids.toString(),
                "--base-image-template",
                TestRegistry.HOST + "/" + namespace + "/src:{id}",
                "--to",
                TestRegistry.HOST + "/" + namespace + "/" + repository,
                "--output",
                dir.resolve(out).toString()));
    args.addAll(List.of(more));
    return CliRun.run(Map.of(), args.toArray(String[]::new));
  }

  /** The last record of each base in mirror.jsonl, by the instance id its base is named for. */
  private static Map<String, JsonNode> records(Path journal) throws Exception {
    Map<String, JsonNode> records = new LinkedHashMap<>();
    for (String line : Files.readAllLines(journal, UTF8)) {
      JsonNode record = JSON.readTree(line);
      String base = record.path("base").asText();
      records.put(base.substring(base.lastIndexOf(':') + 1), record);
    }
    return records;
  }
}
