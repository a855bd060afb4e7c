package io.imagefleet.append.assembly;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.imagefleet.append.dockerfile.AppendPlan;
import io.imagefleet.append.layer.AgentLayer;
import io.imagefleet.append.layer.LayerBuilder;
import io.imagefleet.append.layer.TarWriter;
import io.imagefleet.cli.CliRun;
import io.imagefleet.registry.Credentials;
import io.imagefleet.registry.Digests;
import io.imagefleet.registry.ImageReference;
import io.imagefleet.registry.InsecureRegistries;
import io.imagefleet.registry.Platform;
import io.imagefleet.registry.RegistrySession;
import io.imagefleet.registry.RegistryTransport;
import io.imagefleet.testing.ForwardingProxy;
import io.imagefleet.testing.RegistryWire;
import io.imagefleet.testing.TestDocker;
import io.imagefleet.testing.TestRegistry;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Append against real registries, without the Docker daemon: bases are made through the
 * distribution API in the registry of .ci/run (127.0.0.1:5000) and in a second one this test starts
 * on 127.0.0.1:5001, read through a counting proxy; results are fetched back and checked.
 */
class AppendIT {
  private static final String SECOND = "127.0.0.1:5001";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final String RUN = "r" + System.currentTimeMillis();
  private static final String DOCKERFILE =
      """
      FROM python:3.12 AS builder
      RUN pip install --target /agent-server agent
      FROM ${BASE_IMAGE}
      ARG SDK_COMMIT
      ARG SDIST
      COPY --from=builder /agent-server /opt/agent-server
      COPY ${SDIST} /opt/imagefleet/
      ENV PATH=/opt/agent-server/bin:$PATH
      LABEL io.imagefleet.sdk-commit=${SDK_COMMIT}
      WORKDIR /testbed
      """;

  static Process second;
  static Path secondData;
  static HttpServer proxy;
  static final Map<String, AtomicLong> blobReads = new ConcurrentHashMap<>();
  static final AtomicLong bytesRead = new AtomicLong();
  private static final Pattern BLOB_GET = Pattern.compile("/v2/.+/blobs/(sha256:[0-9a-f]{64})");

  @TempDir static Path dir;

  @BeforeAll
  static void registries() throws Exception {
    TestRegistry.require();
    secondData = Files.createTempDirectory("imagefleet-append-it-registry");
    second = RegistryWire.startDeletable(SECOND, secondData);
    proxy = ForwardingProxy.start(SECOND, AppendIT::countBlobRead);
  }

  @AfterAll
  static void stop() throws Exception {
    if (proxy != null) {
      proxy.stop(0);
    }
    if (second != null) {
      second.destroy();
      second.waitFor();
    }
    if (secondData != null) {
      try (var paths = Files.walk(secondData)) {
        paths
            .sorted(java.util.Comparator.reverseOrder())
            .map(Path::toFile)
            .forEach(java.io.File::delete);
      }
    }
  }

  @Test
  void basesInAnotherRegistryAreStreamedOncePerBlob() throws Exception {
    // given two Docker v2 bases in the second registry sharing their first layer
    byte[] shared = layer("usr/lib/shared.txt", "shared " + RUN);
    Base a =
        pushBase(SECOND, RUN + "/base-a", "1", DOCKER_FAMILY, "amd64", shared, layer("a.txt", "a"));
    Base b =
        pushBase(SECOND, RUN + "/base-b", "1", DOCKER_FAMILY, "amd64", shared, layer("b.txt", "b"));
    String proxied = "127.0.0.1:" + proxy.getAddress().getPort();
    AgentLayer agent = agentLayer();
    AppendAssembler assembler = assembler(Platform.LINUX_AMD64);

    // when three images (two on base a) are assembled by three workers at once
    String target = TestRegistry.HOST + "/imagefleet-append-it/" + RUN + "/agent";
    ExecutorService workers = Executors.newFixedThreadPool(3);
    List<Future<String>> digests = new ArrayList<>();
    for (String[] image :
        List.of(
            new String[] {"base-a", "a1"},
            new String[] {"base-b", "b1"},
            new String[] {"base-a", "a2"})) {
      String base = proxied + "/" + RUN + "/" + image[0] + ":1";
      digests.add(
          workers.submit(
              () ->
                  assembler.assemble(
                      request(base, target + ":" + image[1], agent),
                      dir.resolve(image[1] + ".log"),
                      Duration.ofMinutes(2))));
    }
    List<String> results = new ArrayList<>();
    for (Future<String> digest : digests) {
      results.add(digest.get());
    }
    workers.shutdown();

    // then each image is its base plus the agent layer, with the config edited
    for (String[] check :
        List.of(new String[] {"a1", "0"}, new String[] {"b1", "1"}, new String[] {"a2", "0"})) {
      Base base = check[1].equals("0") ? a : b;
      JsonNode manifest =
          manifest(TestRegistry.HOST, "imagefleet-append-it/" + RUN + "/agent", check[0]);
      assertThat(manifest.get("mediaType").asText()).isEqualTo(AppendAssembler.DOCKER_MANIFEST);
      List<String> layers = new ArrayList<>(base.layerDigests());
      layers.add(agent.digest());
      assertThat(manifest.get("layers").findValuesAsText("digest")).isEqualTo(layers);
      assertThat(manifest.get("layers").get(2).get("mediaType").asText())
          .isEqualTo("application/vnd.docker.image.rootfs.diff.tar.gzip");
      JsonNode config =
          JSON.readTree(
              blob(
                  TestRegistry.HOST,
                  "imagefleet-append-it/" + RUN + "/agent",
                  manifest.get("config").get("digest").asText()));
      List<String> diffIds = new ArrayList<>(base.diffIds());
      diffIds.add(agent.diffId());
      List<String> actualDiffIds = new ArrayList<>();
      config.get("rootfs").get("diff_ids").forEach(id -> actualDiffIds.add(id.asText()));
      assertThat(actualDiffIds).isEqualTo(diffIds);
      assertThat(config.get("config").get("Env").get(0).asText())
          .isEqualTo("PATH=/opt/agent-server/bin:/usr/local/bin:/usr/bin:/bin");
      assertThat(config.get("config").get("WorkingDir").asText()).isEqualTo("/testbed");
      JsonNode labels = config.get("config").get("Labels");
      assertThat(labels.get("io.imagefleet.sdk-commit").asText()).isEqualTo("abc123");
      assertThat(labels.get("org.opencontainers.image.revision").asText()).isEqualTo("abc123");
      assertThat(labels.get("org.opencontainers.image.base.name").asText())
          .isEqualTo(proxied + "/" + RUN + "/base-" + (base == a ? "a" : "b") + ":1");
      assertThat(labels.get("org.opencontainers.image.base.digest").asText())
          .isEqualTo(base.manifestDigest());
      // every blob is served by the target repository
      for (String digest : layers) {
        assertThat(
                head("http://"
                        + TestRegistry.HOST
                        + "/v2/imagefleet-append-it/"
                        + RUN
                        + "/agent/blobs/"
                        + digest)
                    .statusCode())
            .as(digest)
            .isEqualTo(200);
      }
    }
    assertThat(results.get(0))
        .isEqualTo(
            manifestDigest(TestRegistry.HOST, "imagefleet-append-it/" + RUN + "/agent", "a1"));
    // the second registry saw each distinct layer read once: 3 layers, the shared one once
    Set<String> baseLayers =
        Set.of(a.layerDigests().get(0), a.layerDigests().get(1), b.layerDigests().get(1));
    for (String digest : baseLayers) {
      assertThat(blobReads.get(digest)).as("reads of " + digest).hasValue(1);
    }
    AppendAssembler.Stats stats = assembler.stats();
    assertThat(stats.blobsStreamed()).isEqualTo(3);
    assertThat(stats.blobsUploaded()).isEqualTo(1);
    assertThat(stats.imagesPushed()).isEqualTo(3);
    assertThat(Files.readString(dir.resolve("a1.log"))).contains("pushed " + TestRegistry.HOST);
  }

  @Test
  void basesInTheSameRegistryAreMounted() throws Exception {
    // given an OCI base in the target registry, another repository
    Base base =
        pushBase(
            TestRegistry.HOST,
            "imagefleet-append-it/" + RUN + "/base-c",
            "1",
            OCI_FAMILY,
            "amd64",
            layer("c.txt", "c " + RUN));
    AppendAssembler assembler = assembler(Platform.LINUX_AMD64);
    AgentLayer agent = agentLayer();

    // when
    String digest =
        assembler.assemble(
            request(
                TestRegistry.HOST + "/imagefleet-append-it/" + RUN + "/base-c:1",
                TestRegistry.HOST + "/imagefleet-append-it/" + RUN + "/mounted:c",
                agent),
            dir.resolve("c.log"),
            Duration.ofMinutes(1));

    // then: mounted, not streamed; the OCI family is kept
    assertThat(assembler.stats().blobsMounted()).isEqualTo(1);
    assertThat(assembler.stats().blobsStreamed()).isZero();
    JsonNode manifest =
        manifest(TestRegistry.HOST, "imagefleet-append-it/" + RUN + "/mounted", "c");
    assertThat(manifest.get("mediaType").asText()).isEqualTo(AppendAssembler.OCI_MANIFEST);
    assertThat(manifest.get("layers").findValuesAsText("digest"))
        .containsExactly(base.layerDigests().get(0), agent.digest());
    assertThat(manifest.get("layers").get(1).get("mediaType").asText())
        .isEqualTo("application/vnd.oci.image.layer.v1.tar+gzip");
    assertThat(digest)
        .isEqualTo(
            manifestDigest(TestRegistry.HOST, "imagefleet-append-it/" + RUN + "/mounted", "c"));
  }

  @Test
  void aMultiPlatformBaseResolvesToThePlatformAsked() throws Exception {
    // given an OCI index with linux/amd64 and linux/arm64/v8
    Base amd =
        pushBase(SECOND, RUN + "/multi", "amd64", OCI_FAMILY, "amd64", layer("arch", "amd64"));
    Base arm =
        pushBase(SECOND, RUN + "/multi", "arm64", OCI_FAMILY, "arm64", layer("arch", "arm64"));
    String index = index(amd, arm);
    putManifest(
        SECOND,
        RUN + "/multi",
        "1",
        AppendAssembler.OCI_INDEX,
        index.getBytes(StandardCharsets.UTF_8));
    AppendAssembler assembler = assembler(Platform.parse("linux/arm64"));

    // when
    assembler.assemble(
        request(
            SECOND + "/" + RUN + "/multi:1",
            TestRegistry.HOST + "/imagefleet-append-it/" + RUN + "/multi:arm64",
            agentLayer()),
        dir.resolve("multi.log"),
        Duration.ofMinutes(1));

    // then
    JsonNode manifest =
        manifest(TestRegistry.HOST, "imagefleet-append-it/" + RUN + "/multi", "arm64");
    assertThat(manifest.get("layers").get(0).get("digest").asText())
        .isEqualTo(arm.layerDigests().get(0));
    JsonNode config =
        JSON.readTree(
            blob(
                TestRegistry.HOST,
                "imagefleet-append-it/" + RUN + "/multi",
                manifest.get("config").get("digest").asText()));
    assertThat(config.get("architecture").asText()).isEqualTo("arm64");
    assertThat(
            config.get("config").get("Labels").get("org.opencontainers.image.base.digest").asText())
        .isEqualTo(arm.manifestDigest());
  }

  @Test
  void theBuildCommandAssemblesRunnableImagesFromBasesInTheSecondRegistry() throws Exception {
    // given two runnable busybox bases in the second registry, read through the counting proxy,
    // and three instances (two on base a), a COPY-only Dockerfile and no Docker daemon
    String proxied = "127.0.0.1:" + proxy.getAddress().getPort();
    for (String name : List.of("a", "b")) {
      String pushed = SECOND + "/" + RUN + "/runnable:" + name;
      TestDocker.buildBusyboxImage(pushed, "marker " + name, Map.of());
      TestDocker.docker(Map.of(), "push", "-q", pushed);
      TestDocker.docker(Map.of(), "rmi", pushed);
    }
    Path dataset =
        Files.writeString(
            dir.resolve("second.jsonl"),
            """
            {"instance_id":"i-1","base_image":"%1$s/%2$s/runnable:a"}
            {"instance_id":"i-2","base_image":"%1$s/%2$s/runnable:b"}
            {"instance_id":"i-3","base_image":"%1$s/%2$s/runnable:a"}
            """
                .formatted(proxied, RUN));
    Path sdist = Files.writeString(dir.resolve("agent-2.0.tar.gz"), "sdist " + RUN);
    Path dockerfile =
        Files.writeString(
            dir.resolve("copy.Dockerfile"),
            "ARG BASE_IMAGE\nFROM ${BASE_IMAGE}\nARG SDIST\nCOPY ${SDIST} /opt/agent/\n");
    Path out = dir.resolve("second-out");
    String image = TestRegistry.HOST + "/imagefleet-append-it/" + RUN + "/runnable";

    // when
    CliRun run =
        CliRun.run(
            Map.of("DOCKER_HOST", "unix:///nonexistent.sock"),
            "build",
            "--benchmark",
            "custom",
            "--dataset",
            dataset.toString(),
            "--sdist",
            sdist.toString(),
            "--sdk-commit",
            "0123456789abcdef",
            "--cache-dir",
            dir.resolve("cache").toString(),
            "--dockerfile",
            dockerfile.toString(),
            "--image",
            image,
            "--builder",
            "append",
            "--workers",
            "3",
            "--output",
            out.toString());

    // then every distinct base blob was read from the second registry once, and the images run
    assertThat(run.exitCode()).as(run.err()).isZero();
    Set<String> distinct = new java.util.TreeSet<>();
    for (String name : List.of("a", "b")) {
      List<String> blobs =
          manifest(SECOND, RUN + "/runnable", name).get("layers").findValuesAsText("digest");
      assertThat(blobs).hasSize(3);
      distinct.addAll(blobs);
    }
    for (String digest : distinct) {
      assertThat(blobReads.get(digest)).as("reads of " + digest).hasValue(1);
    }
    assertThat(run.err())
        .contains("built 3, skipped 0, failed 0")
        .contains(distinct.size() + " streamed base blob(s)");
    String tag = null;
    for (String line : Files.readAllLines(out.resolve("manifest.jsonl"))) {
      JsonNode record = JSON.readTree(line);
      if (record.get("instance").asText().equals("i-2")) {
        tag = record.get("tags").get(0).asText();
      }
    }
    TestDocker.docker(Map.of(), "pull", "-q", tag);
    try {
      assertThat(
              TestDocker.docker(
                  Map.of(),
                  "run",
                  "--rm",
                  "--network=none",
                  tag,
                  "sh",
                  "-c",
                  "cat /marker; echo; cat /opt/agent/agent-2.0.tar.gz"))
          .isEqualTo("marker b\nsdist " + RUN);
    } finally {
      TestDocker.docker(Map.of(), "rmi", tag);
    }
  }

  @Test
  void theBuildCommandTakesThePlatformOfAMultiPlatformBase() throws Exception {
    // given an OCI index with linux/amd64 and linux/arm64/v8 in the second registry
    Base amd =
        pushBase(SECOND, RUN + "/multi-cli", "amd64", OCI_FAMILY, "amd64", layer("arch", "x86"));
    Base arm =
        pushBase(SECOND, RUN + "/multi-cli", "arm64", OCI_FAMILY, "arm64", layer("arch", "arm"));
    putManifest(
        SECOND,
        RUN + "/multi-cli",
        "1",
        AppendAssembler.OCI_INDEX,
        index(amd, arm).getBytes(StandardCharsets.UTF_8));
    Path dataset =
        Files.writeString(
            dir.resolve("multi.jsonl"),
            "{\"instance_id\":\"m-1\",\"base_image\":\""
                + SECOND
                + "/"
                + RUN
                + "/multi-cli:1\"}\n");
    Path sdist = Files.writeString(dir.resolve("agent-3.0.tar.gz"), "sdist");
    Path dockerfile =
        Files.writeString(
            dir.resolve("multi.Dockerfile"),
            "ARG BASE_IMAGE\nFROM ${BASE_IMAGE}\nARG SDIST\nCOPY ${SDIST} /opt/agent/\n");
    String image = TestRegistry.HOST + "/imagefleet-append-it/" + RUN + "/multi-cli";

    // when built for each platform
    for (String platform : List.of("linux/arm64", "linux/amd64")) {
      Path out = dir.resolve("multi-out-" + platform.replace('/', '-'));
      CliRun run =
          CliRun.run(
              Map.of(),
              "build",
              "--benchmark",
              "custom",
              "--dataset",
              dataset.toString(),
              "--sdist",
              sdist.toString(),
              "--sdk-commit",
              "0123456789abcdef",
              "--cache-dir",
              dir.resolve("cache").toString(),
              "--dockerfile",
              dockerfile.toString(),
              "--image",
              image,
              "--builder",
              "append",
              "--platform",
              platform,
              "--force",
              "--output",
              out.toString());

      // then the image is that platform's base plus the layer
      assertThat(run.exitCode()).as(run.err()).isZero();
      String tag =
          JSON.readTree(Files.readString(out.resolve("manifest.jsonl")))
              .get("tags")
              .get(0)
              .asText();
      JsonNode manifest =
          manifest(
              TestRegistry.HOST,
              "imagefleet-append-it/" + RUN + "/multi-cli",
              tag.substring(tag.lastIndexOf(':') + 1));
      Base expected = platform.endsWith("arm64") ? arm : amd;
      assertThat(manifest.get("layers").get(0).get("digest").asText())
          .as(platform)
          .isEqualTo(expected.layerDigests().get(0));
    }
  }

  // --- helpers -------------------------------------------------------------------------------

  private static final String[] DOCKER_FAMILY = {
    AppendAssembler.DOCKER_MANIFEST,
    "application/vnd.docker.container.image.v1+json",
    "application/vnd.docker.image.rootfs.diff.tar.gzip"
  };
  private static final String[] OCI_FAMILY = {
    AppendAssembler.OCI_MANIFEST,
    "application/vnd.oci.image.config.v1+json",
    "application/vnd.oci.image.layer.v1.tar+gzip"
  };

  record Base(
      List<String> layerDigests, List<String> diffIds, String manifestDigest, long manifestSize) {}

  /** An OCI index of an amd64 and an arm64/v8 image. */
  private static String index(Base amd, Base arm) throws IOException {
    return JSON.writeValueAsString(
        Map.of(
            "schemaVersion",
            2,
            "mediaType",
            AppendAssembler.OCI_INDEX,
            "manifests",
            List.of(
                Map.of(
                    "mediaType", AppendAssembler.OCI_MANIFEST,
                    "digest", amd.manifestDigest(),
                    "size", amd.manifestSize(),
                    "platform", Map.of("os", "linux", "architecture", "amd64")),
                Map.of(
                    "mediaType", AppendAssembler.OCI_MANIFEST,
                    "digest", arm.manifestDigest(),
                    "size", arm.manifestSize(),
                    "platform", Map.of("os", "linux", "architecture", "arm64", "variant", "v8")))));
  }

  private static AppendAssembler assembler(Platform platform) {
    return new AppendAssembler(
        new RegistryTransport(
            Credentials.none(), InsecureRegistries.none(), 3, Duration.ofMillis(100)),
        platform,
        3,
        Duration.ofMillis(100));
  }

  private static AppendRequest request(String base, String target, AgentLayer layer) {
    AppendPlan plan =
        AppendPlan.parse(
            DOCKERFILE,
            Optional.empty(),
            Map.of("SDIST", "agent-1.0.tar.gz", "SDK_COMMIT", "abc123"));
    return new AppendRequest(
        base,
        ImageReference.parse(target),
        plan,
        Optional.of(layer),
        Instant.parse("2026-01-01T00:00:00Z"));
  }

  private static AgentLayer agentLayer() throws IOException {
    Path context = Files.createDirectories(dir.resolve("context"));
    Files.writeString(context.resolve("agent-1.0.tar.gz"), "not really an sdist " + RUN);
    Path stage = Files.createDirectories(dir.resolve("builder/agent-server/bin"));
    Files.writeString(stage.resolve("agent"), "#!/bin/sh\necho agent\n");
    AppendPlan plan =
        AppendPlan.parse(
            DOCKERFILE,
            Optional.empty(),
            Map.of("SDIST", "agent-1.0.tar.gz", "SDK_COMMIT", "abc123"));
    return new LayerBuilder(
            context, s -> dir.resolve(s), Optional.of(LayerBuilder.REPRODUCIBLE_MTIME))
        .build(plan, dir.resolve("agent-" + System.nanoTime() + ".tar.gz"));
  }

  /** A gzip tar with one file. */
  private static byte[] layer(String name, String content) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (OutputStream gzip = new GZIPOutputStream(bytes)) {
      TarWriter tar = new TarWriter(gzip);
      byte[] data = content.getBytes(StandardCharsets.UTF_8);
      tar.file(name, 0644, 0, 0, 1, data.length, new ByteArrayInputStream(data));
      tar.finish();
    }
    return bytes.toByteArray();
  }

  private static Base pushBase(
      String host, String repo, String tag, String[] family, String architecture, byte[]... layers)
      throws Exception {
    List<String> digests = new ArrayList<>();
    List<String> diffIds = new ArrayList<>();
    List<Map<String, Object>> descriptors = new ArrayList<>();
    for (byte[] layer : layers) {
      String digest = Digests.sha256(layer);
      pushBlob(host, repo, layer);
      digests.add(digest);
      try (InputStream in = new java.util.zip.GZIPInputStream(new ByteArrayInputStream(layer))) {
        diffIds.add(Digests.sha256(in.readAllBytes()));
      }
      descriptors.add(Map.of("mediaType", family[2], "digest", digest, "size", layer.length));
    }
    byte[] config =
        JSON.writeValueAsBytes(
            Map.of(
                "architecture", architecture,
                "os", "linux",
                "config",
                    Map.of(
                        "Env", List.of("PATH=/usr/local/bin:/usr/bin:/bin"),
                        "Cmd", List.of("/bin/sh")),
                "rootfs", Map.of("type", "layers", "diff_ids", diffIds),
                "history", List.of()));
    pushBlob(host, repo, config);
    byte[] manifest =
        JSON.writeValueAsBytes(
            Map.of(
                "schemaVersion",
                2,
                "mediaType",
                family[0],
                "config",
                Map.of(
                    "mediaType",
                    family[1],
                    "digest",
                    Digests.sha256(config),
                    "size",
                    config.length),
                "layers",
                descriptors));
    putManifest(host, repo, tag, family[0], manifest);
    return new Base(digests, diffIds, Digests.sha256(manifest), manifest.length);
  }

  private static void pushBlob(String host, String repo, byte[] blob) throws Exception {
    HttpResponse<Void> start =
        HTTP.send(
            HttpRequest.newBuilder(URI.create("http://" + host + "/v2/" + repo + "/blobs/uploads/"))
                .POST(HttpRequest.BodyPublishers.noBody())
                .build(),
            HttpResponse.BodyHandlers.discarding());
    assertThat(start.statusCode()).isEqualTo(202);
    URI location =
        URI.create("http://" + host + "/")
            .resolve(start.headers().firstValue("Location").orElseThrow());
    String separator = location.getQuery() == null ? "?" : "&";
    HttpResponse<String> put =
        HTTP.send(
            HttpRequest.newBuilder(
                    URI.create(location + separator + "digest=" + Digests.sha256(blob)))
                .PUT(HttpRequest.BodyPublishers.ofByteArray(blob))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(put.statusCode()).as(put.body()).isEqualTo(201);
  }

  private static void putManifest(
      String host, String repo, String tag, String type, byte[] manifest) throws Exception {
    HttpResponse<String> put =
        HTTP.send(
            HttpRequest.newBuilder(
                    URI.create("http://" + host + "/v2/" + repo + "/manifests/" + tag))
                .header("Content-Type", type)
                .PUT(HttpRequest.BodyPublishers.ofByteArray(manifest))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(put.statusCode()).as(put.body()).isEqualTo(201);
  }

  private static JsonNode manifest(String host, String repo, String tag) throws Exception {
    return JSON.readTree(manifestResponse(host, repo, tag).body());
  }

  private static String manifestDigest(String host, String repo, String tag) throws Exception {
    return manifestResponse(host, repo, tag)
        .headers()
        .firstValue("Docker-Content-Digest")
        .orElseThrow();
  }

  private static HttpResponse<byte[]> manifestResponse(String host, String repo, String tag)
      throws Exception {
    HttpResponse<byte[]> response =
        HTTP.send(
            HttpRequest.newBuilder(
                    URI.create("http://" + host + "/v2/" + repo + "/manifests/" + tag))
                .header("Accept", RegistrySession.MANIFEST_TYPES)
                .build(),
            HttpResponse.BodyHandlers.ofByteArray());
    assertThat(response.statusCode()).isEqualTo(200);
    return response;
  }

  private static byte[] blob(String host, String repo, String digest) throws Exception {
    HttpResponse<byte[]> response =
        HTTP.send(
            HttpRequest.newBuilder(
                    URI.create("http://" + host + "/v2/" + repo + "/blobs/" + digest))
                .build(),
            HttpResponse.BodyHandlers.ofByteArray());
    assertThat(response.statusCode()).isEqualTo(200);
    return response.body();
  }

  private static HttpResponse<Void> head(String url) throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create(url))
            .method("HEAD", HttpRequest.BodyPublishers.noBody())
            .build(),
        HttpResponse.BodyHandlers.discarding());
  }

  private static HttpResponse<String> get(String url) throws IOException {
    try {
      return HTTP.send(
          HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(2)).build(),
          HttpResponse.BodyHandlers.ofString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    }
  }

  /** Counts each blob GET the registry answered, and the bytes it returned. */
  private static void countBlobRead(String method, String path, int status, byte[] body) {
    Matcher blob = BLOB_GET.matcher(path);
    if (method.equals("GET") && blob.matches() && status == 200) {
      blobReads.computeIfAbsent(blob.group(1), d -> new AtomicLong()).incrementAndGet();
      bytesRead.addAndGet(body.length);
    }
  }
}
