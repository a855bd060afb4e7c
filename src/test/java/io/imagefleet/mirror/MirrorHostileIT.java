package io.imagefleet.mirror;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.absent;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import io.imagefleet.cli.CliRun;
import io.imagefleet.registry.Digests;
import io.imagefleet.testing.RegistryWire;
import io.imagefleet.testing.TestRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code imagefleet mirror} from a hostile source registry (WireMock on a loopback port, serving
 * what a test makes it) into the real registry on 127.0.0.1:5000: whatever the source sends, a base
 * is mirrored only when its bytes are what its digests say, and nothing it names goes into a URL
 * unchecked or gets the mirror's login.
 */
class MirrorHostileIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String IMAGE = "application/vnd.oci.image.manifest.v1+json";
  private static final String INDEX = "application/vnd.oci.image.index.v1+json";

  @TempDir Path dir;
  private WireMockServer source;
  private String host;
  private String mirror;
  private String ns;

  @BeforeEach
  void start() {
    TestRegistry.require();
    source = new WireMockServer(options().dynamicPort());
    source.start();
    host = "localhost:" + source.port();
    ns = "hostile" + UUID.randomUUID().toString().substring(0, 8);
    mirror = TestRegistry.HOST + "/" + ns + "/mirror";
  }

  @AfterEach
  void stop() {
    source.stop();
  }

  /** A blob the source serves under {@code digest} (its own unless a test lies). */
  private void blob(String digest, byte[] bytes) {
    source.stubFor(
        get(urlPathEqualTo("/v2/src/base/blobs/" + digest))
            .willReturn(aResponse().withStatus(200).withBody(bytes)));
  }

  /** A manifest the source serves by {@code reference} (GET and HEAD), claiming {@code digest}. */
  private void manifest(String reference, byte[] bytes, String mediaType, String digest) {
    source.stubFor(
        any(urlPathEqualTo("/v2/src/base/manifests/" + reference))
            .willReturn(
                aResponse()
                    .withStatus(200)
                    .withHeader("Content-Type", mediaType)
                    .withHeader("Docker-Content-Digest", digest)
                    .withBody(bytes)));
  }

  private String manifest(String reference, byte[] bytes, String mediaType) {
    String digest = Digests.sha256(bytes);
    manifest(reference, bytes, mediaType, digest);
    manifest(digest, bytes, mediaType, digest);
    return digest;
  }

  /** An OCI image of one layer; its manifest bytes. */
  private byte[] image(byte[] layer, Map<String, Object> layerDescriptor) throws Exception {
    byte[] config =
        JSON.writeValueAsBytes(
            Map.of("architecture", "amd64", "os", "linux", "rootfs", Map.of("type", "layers")));
    blob(Digests.sha256(config), config);
    blob(Digests.sha256(layer), layer);
    Map<String, Object> descriptor = new LinkedHashMap<>();
    descriptor.put("mediaType", "application/vnd.oci.image.layer.v1.tar");
    descriptor.put("digest", Digests.sha256(layer));
    descriptor.put("size", layer.length);
    descriptor.putAll(layerDescriptor);
    Map<String, Object> manifest = new LinkedHashMap<>();
    manifest.put("schemaVersion", 2);
    manifest.put("mediaType", IMAGE);
    manifest.put(
        "config",
        Map.of(
            "mediaType",
            "application/vnd.oci.image.config.v1+json",
            "digest",
            Digests.sha256(config),
            "size",
            config.length));
    manifest.put("layers", List.of(descriptor));
    return JSON.writeValueAsBytes(manifest);
  }

  private static byte[] index(List<Map<String, Object>> children) throws Exception {
    return JSON.writeValueAsBytes(
        Map.of("schemaVersion", 2, "mediaType", INDEX, "manifests", children));
  }

  private static Map<String, Object> child(String digest, String arch) {
    return Map.of(
        "mediaType",
        IMAGE,
        "digest",
        digest,
        "size",
        100,
        "platform",
        Map.of("os", "linux", "architecture", arch));
  }

  private CliRun mirror(Map<String, String> env, String... more) throws Exception {
    Path ids = dir.resolve("ids.txt");
    if (!Files.exists(ids)) {
      Files.write(ids, List.of("t1"));
    }
    Map<String, String> withConfig = new LinkedHashMap<>(env);
    withConfig.putIfAbsent(
        "DOCKER_CONFIG", Files.createDirectories(dir.resolve("docker")).toString());
    List<String> args =
        new ArrayList<>(
            List.of(
                "mirror",
                "--benchmark",
                "custom",
                "--dataset",
                ids.toString(),
                "--base-image-template",
                host + "/src/base:{id}",
                "--to",
                mirror,
                "--output",
                dir.resolve("out").toString()));
    args.addAll(List.of(more));
    return CliRun.run(withConfig, args.toArray(String[]::new));
  }

  private List<JsonNode> records() throws Exception {
    List<JsonNode> records = new ArrayList<>();
    for (String line : Files.readAllLines(dir.resolve("out/mirror.jsonl"))) {
      records.add(JSON.readTree(line));
    }
    return records;
  }

  private int targetTag() throws Exception {
    return new RegistryWire(TestRegistry.HOST).headManifest(ns + "/mirror", "base-t1");
  }

  @Test
  void aGoodBaseIsMirrored() throws Exception {
    manifest("t1", image(bytes("layer"), Map.of()), IMAGE);
    CliRun run = mirror(Map.of());
    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(targetTag()).isEqualTo(200);
  }

  @Test
  void aManifestWhoseBytesAreNotTheDigestItClaimsFailsTheBase() throws Exception {
    byte[] good = image(bytes("layer"), Map.of());
    String claimed = Digests.sha256(bytes("something else"));
    manifest("t1", good, IMAGE, claimed);
    manifest(claimed, good, IMAGE, claimed);
    CliRun run = mirror(Map.of());
    assertThat(run.exitCode()).as(run.err()).isEqualTo(5);
    assertThat(run.err()).contains("digest is " + Digests.sha256(good));
    assertThat(targetTag()).isEqualTo(404);
  }

  @Test
  void anIndexChildThatIsNoDigestNeverGoesIntoAUrl() throws Exception {
    manifest("t1", index(List.of(child("../../../other/manifests/x", "amd64"))), INDEX);
    manifest("evil", image(bytes("layer"), Map.of()), IMAGE);
    manifest("t1b", index(List.of(child("evil", "amd64"))), INDEX);
    Files.write(dir.resolve("ids.txt"), List.of("t1", "t1b"));

    CliRun run = mirror(Map.of());

    assertThat(run.exitCode()).as(run.err()).isEqualTo(5);
    assertThat(run.err()).contains("2 failed").contains("which is no digest");
    assertThat(source.findAll(anyRequestedFor(urlPathMatching(".*/manifests/(evil|x)")))).isEmpty();
    assertThat(source.findAll(anyRequestedFor(urlPathMatching("/v2/other/.*")))).isEmpty();
  }

  @Test
  void anIndexWhoseChildIsAnIndexFails() throws Exception {
    byte[] inner = index(List.of(child(Digests.sha256(image(bytes("l"), Map.of())), "amd64")));
    String innerDigest = manifest("inner", inner, INDEX);
    manifest(Digests.sha256(image(bytes("l"), Map.of())), image(bytes("l"), Map.of()), IMAGE);
    manifest("t1", index(List.of(child(innerDigest, "amd64"))), INDEX);
    CliRun run = mirror(Map.of());
    assertThat(run.exitCode()).as(run.err()).isEqualTo(5);
    assertThat(run.err()).contains("not an OCI or Docker v2 image manifest");
    assertThat(targetTag()).isEqualTo(404);
  }

  @Test
  void anIndexListingOneChildTenThousandTimesReadsItOnce() throws Exception {
    byte[] image = image(bytes("layer"), Map.of());
    String digest = manifest("child", image, IMAGE);
    List<Map<String, Object>> children = new ArrayList<>();
    for (int i = 0; i < 10_000; i++) {
      children.add(child(digest, "amd64"));
    }
    manifest("t1", index(children), INDEX);
    CliRun run = mirror(Map.of());
    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(source.findAll(getRequestedFor(urlPathEqualTo("/v2/src/base/manifests/" + digest))))
        .hasSize(1);
  }

  @Test
  void aLayerWithANegativeOrMissingSizeFailsTheBaseInOneLine() throws Exception {
    manifest("t1", image(bytes("layer"), Map.of("size", -5)), IMAGE);
    CliRun run = mirror(Map.of());
    assertThat(run.exitCode()).as(run.err()).isEqualTo(5);
    assertThat(run.err()).doesNotContain("java.lang").contains("size");
    assertThat(targetTag()).isEqualTo(404);
  }

  @Test
  void anEmptyLayerIsMirrored() throws Exception {
    manifest("t1", image(new byte[0], Map.of()), IMAGE);
    CliRun run = mirror(Map.of());
    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(targetTag()).isEqualTo(200);
  }

  @Test
  void aBlobWhoseBytesAreNotItsDigestFailsTheBaseAndIsNotRecordedAsMirrored() throws Exception {
    byte[] layer = bytes("layer");
    byte[] manifest = image(layer, Map.of());
    blob(Digests.sha256(layer), bytes("LAYER")); // same length, other bytes
    manifest("t1", manifest, IMAGE);
    CliRun run = mirror(Map.of());
    assertThat(run.exitCode()).as(run.err()).isEqualTo(5);
    assertThat(records())
        .singleElement()
        .satisfies(r -> assertThat(r.path("status").asText()).isEqualTo("failed"));
    assertThat(targetTag()).isEqualTo(404);
  }

  @Test
  void aBlobRedirectedToAnotherHostGetsNoLoginAndTheSourceNeverSeesTheMirrorsLogin()
      throws Exception {
    // given a source that asks for Basic, whose login is in the Docker config, and that sends
    // blob GETs to another host; and the mirror's login in IMAGEFLEET_REGISTRY_*
    WireMockServer other = new WireMockServer(options().dynamicPort());
    other.start();
    try {
      byte[] layer = bytes("layer");
      manifest("t1", image(layer, Map.of()), IMAGE);
      other.stubFor(
          get(urlPathMatching("/storage/.*"))
              .willReturn(aResponse().withStatus(200).withBody(layer)));
      source.stubFor(
          get(urlPathEqualTo("/v2/src/base/blobs/" + Digests.sha256(layer)))
              .willReturn(
                  aResponse()
                      .withStatus(307)
                      .withHeader(
                          "Location", "http://127.0.0.1:" + other.port() + "/storage/layer")));
      source.stubFor(
          any(urlPathMatching("/v2/.*"))
              .atPriority(1)
              .withHeader("Authorization", absent())
              .willReturn(
                  aResponse()
                      .withStatus(401)
                      .withHeader("WWW-Authenticate", "Basic realm=\"source\"")));
      Path config = Files.createDirectories(dir.resolve("docker"));
      Files.writeString(
          config.resolve("config.json"),
          "{\"auths\":{\""
              + host
              + "\":{\"auth\":\""
              + Base64.getEncoder().encodeToString("src:srcsecret".getBytes(StandardCharsets.UTF_8))
              + "\"}}}");
      CliRun run =
          mirror(
              Map.of(
                  "DOCKER_CONFIG",
                  config.toString(),
                  "IMAGEFLEET_REGISTRY_USERNAME",
                  "mirroruser",
                  "IMAGEFLEET_REGISTRY_PASSWORD",
                  "mirrorsecret"));
      assertThat(run.exitCode()).as(run.err()).isZero();
      assertThat(other.findAll(anyRequestedFor(urlPathMatching("/storage/.*"))))
          .isNotEmpty()
          .allSatisfy(r -> assertThat(r.containsHeader("Authorization")).isFalse());
      String mirrorBasic =
          Base64.getEncoder()
              .encodeToString("mirroruser:mirrorsecret".getBytes(StandardCharsets.UTF_8));
      List<String> sent =
          source.findAll(anyRequestedFor(urlPathMatching(".*"))).stream()
              .map(r -> String.valueOf(r.getHeader("Authorization")))
              .toList();
      assertThat(sent)
          .contains(
              "Basic "
                  + Base64.getEncoder()
                      .encodeToString("src:srcsecret".getBytes(StandardCharsets.UTF_8)))
          .noneMatch(a -> a.contains(mirrorBasic));
    } finally {
      other.stop();
    }
  }

  @Test
  void aRecordFromAPlatformRunDoesNotMakeAnotherPlatformOrAWholeIndexRunSkipTheBase()
      throws Exception {
    // given a two-platform base mirrored with --platform linux/amd64
    String amd = manifest("amd", image(bytes("amd"), Map.of()), IMAGE);
    String arm = manifest("arm", image(bytes("arm"), Map.of()), IMAGE);
    String index = manifest("t1", index(List.of(child(amd, "amd64"), child(arm, "arm64"))), INDEX);
    CliRun one = mirror(Map.of(), "--platform", "linux/amd64");
    assertThat(one.exitCode()).as(one.err()).isZero();
    RegistryWire target = new RegistryWire(TestRegistry.HOST);
    assertThat(target.manifest(ns + "/mirror", "base-t1").digest()).isEqualTo(amd);

    // when it is mirrored again for the other platform, then that platform's image is there
    CliRun other = mirror(Map.of(), "--platform", "linux/arm64");
    assertThat(other.exitCode()).as(other.err()).isZero();
    assertThat(other.err()).contains("1 mirrored");
    assertThat(target.manifest(ns + "/mirror", "base-t1").digest()).isEqualTo(arm);

    // when it is mirrored whole, then the whole index is there, not the image the journal names
    CliRun whole = mirror(Map.of());
    assertThat(whole.exitCode()).as(whole.err()).isZero();
    assertThat(whole.err()).contains("1 mirrored");
    assertThat(target.manifest(ns + "/mirror", "base-t1").digest()).isEqualTo(index);
    assertThat(records())
        .extracting(r -> r.path("platform").asText(null))
        .containsExactly("linux/amd64", "linux/arm64", null);
  }

  @Test
  void aRecordCutShortByAKillDoesNotCostTheNextRecord() throws Exception {
    manifest("t1", image(bytes("layer"), Map.of()), IMAGE);
    Files.createDirectories(dir.resolve("out"));
    Files.writeString(dir.resolve("out/mirror.jsonl"), "{\"base\":\"x\",\"sta");
    CliRun run = mirror(Map.of());
    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(MirrorRecord.last(dir.resolve("out/mirror.jsonl")))
        .containsKey(host + "/src/base:t1");
  }

  @Test
  void aJournalThatCannotBeWrittenIsNoInternalError() throws Exception {
    manifest("t1", image(bytes("layer"), Map.of()), IMAGE);
    Files.createDirectories(dir.resolve("out/mirror.jsonl"));
    CliRun run = mirror(Map.of());
    assertThat(run.exitCode()).as(run.err()).isEqualTo(2);
    assertThat(run.err()).contains("cannot write mirror.jsonl").doesNotContain("internal error");
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
