package io.imagefleet.mirror;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.imagefleet.cli.CliRun;
import io.imagefleet.testing.BuildRig;
import io.imagefleet.testing.ForwardingProxy;
import io.imagefleet.testing.RegistryWire;
import io.imagefleet.testing.TestRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code imagefleet mirror} between two real registries: bases in a second registry on loopback
 * (read through a counting proxy) copied into the local registry; a second run moves nothing; a
 * build with {@code --base-mirror} mounts every blob and reads nothing from the source; a killed
 * run resumes; a base that is gone fails alone; a target without push rights stops it first.
 */
class MirrorIT {
  private static final String SOURCE = "127.0.0.1:5007";
  private static final int BASES = 50;
  private static final int LAYER = 20_000;
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path dir;
  private static Path sourceData;
  private static Process source;
  private static HttpServer proxy;
  private static String proxied;
  private static final AtomicLong sourceRequests = new AtomicLong();
  private static final AtomicLong sourceBlobBytes = new AtomicLong();
  private static BuildRig rig;
  private static long distinctBytes;
  private static final Map<String, String> digestById = new LinkedHashMap<>();

  @BeforeAll
  static void registries() throws Exception {
    rig = BuildRig.create(dir);
    sourceData = Files.createTempDirectory("imagefleet-mirror-it");
    source = RegistryWire.startDeletable(SOURCE, sourceData);
    proxy =
        ForwardingProxy.start(
            SOURCE,
            (method, path, status, body) -> {
              sourceRequests.incrementAndGet();
              if (method.equals("GET") && path.contains("/blobs/")) {
                sourceBlobBytes.addAndGet(body.length);
              }
            });
    proxied = "127.0.0.1:" + proxy.getAddress().getPort();
    // 50 bases sharing their first layer, each with a layer of its own
    RegistryWire wire = new RegistryWire(SOURCE);
    byte[] shared = bytes(-1);
    distinctBytes = shared.length;
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < BASES; i++) {
      String id = "base-" + i;
      byte[] own = bytes(i);
      distinctBytes += own.length;
      RegistryWire.Manifest manifest = image(wire, "bases", id, List.of(shared, own));
      distinctBytes += configSize(wire, manifest);
      digestById.put(id, wire.putManifest(rig.namespace + "/bases", id, manifest));
      ids.add(id);
    }
    Files.write(dir.resolve("ids.txt"), ids);
  }

  @AfterAll
  static void stop() throws Exception {
    if (proxy != null) {
      proxy.stop(0);
    }
    if (source != null) {
      source.destroy();
      source.waitFor();
    }
    try (var paths = Files.walk(sourceData)) {
      paths.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(java.io.File::delete);
    }
  }

  @Test
  void fiftyBasesCrossOnceThenNothingMovesAndABuildMountsFromTheMirror() throws Exception {
    String mirror = TestRegistry.HOST + "/" + rig.namespace + "/mirror";
    long bytesBefore = sourceBlobBytes.get();

    // when the 50 bases are mirrored
    CliRun first = mirror(mirror, dir.resolve("out-1"), "--concurrency", "4");

    // then each is in the mirror under its own name with its source digest, every distinct blob
    // crossed once, and mirror.jsonl says so
    assertThat(first.exitCode()).as(first.err()).isZero();
    assertThat(first.err())
        .contains("50 base(s): 50 mirrored, 0 already there, 0 failed; " + distinctBytes);
    RegistryWire target = new RegistryWire(TestRegistry.HOST);
    for (Map.Entry<String, String> base : digestById.entrySet()) {
      assertThat(target.manifest(rig.namespace + "/mirror", "bases-" + base.getKey()).digest())
          .isEqualTo(base.getValue());
    }
    assertThat(sourceBlobBytes.get() - bytesBefore).isEqualTo(distinctBytes);
    List<JsonNode> records = records(dir.resolve("out-1/mirror.jsonl"));
    assertThat(records).hasSize(BASES);
    assertThat(records).allMatch(r -> r.path("status").asText().equals("mirrored"));

    // when it is run again
    long blobBytesBefore = sourceBlobBytes.get();
    CliRun second = mirror(mirror, dir.resolve("out-1"), "--concurrency", "4");

    // then nothing moved: a HEAD per base on each side, no blob read
    assertThat(second.exitCode()).as(second.err()).isZero();
    assertThat(second.err()).contains("50 base(s): 0 mirrored, 50 already there, 0 failed; 0 ");
    assertThat(sourceBlobBytes.get()).isEqualTo(blobBytesBefore);
    assertThat(records(dir.resolve("out-1/mirror.jsonl"))).hasSize(2 * BASES);

    // when the fleet is built from the mirror with append
    long requestsBefore = sourceRequests.get();
    Path dockerfile =
        Files.writeString(
            dir.resolve("copy.Dockerfile"),
            "ARG BASE_IMAGE\nFROM ${BASE_IMAGE}\nARG SDIST\nCOPY ${SDIST} /opt/agent/\n");
    List<String> args = rig.buildArgs(dir.resolve("ids.txt"), dir.resolve("out-build"));
    set(args, "--dockerfile", dockerfile.toString());
    set(args, "--builder", "append");
    set(args, "--base-image-template", proxied + "/" + rig.namespace + "/bases:{id}");
    args.addAll(List.of("--base-mirror", mirror, "--min-free-gb", "0", "--workers", "4"));
    CliRun build =
        CliRun.run(Map.of("DOCKER_HOST", "unix:///nonexistent.sock"), args.toArray(String[]::new));

    // then every image was built, every base blob mounted, and the source never asked
    assertThat(build.exitCode()).as(build.err()).isZero();
    assertThat(build.err())
        .contains("built 50, skipped 0, failed 0")
        .contains("append moved 0 bytes in 0 streamed base blob(s)");
    assertThat(sourceRequests.get()).isEqualTo(requestsBefore);
  }

  @Test
  void aKilledRunResumesWithoutCrossingABlobTwice() throws Exception {
    String mirror = TestRegistry.HOST + "/" + rig.namespace + "/resumed";
    Path out = Files.createDirectories(dir.resolve("out-killed"));
    Path journal = out.resolve("mirror.jsonl");
    long before = sourceBlobBytes.get();

    // given a mirror process killed once a few bases are done
    List<String> command = new ArrayList<>();
    command.addAll(
        List.of(
            ProcessHandle.current().info().command().orElse("java"),
            "-cp",
            System.getProperty("java.class.path"),
            "io.imagefleet.cli.Main"));
    command.addAll(mirrorArgs(mirror, out, "--concurrency", "1"));
    Process killed = new ProcessBuilder(command).redirectErrorStream(true).start();
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (lines(journal) < 5 && killed.isAlive() && System.nanoTime() < until) {
      Thread.sleep(10);
    }
    killed.destroyForcibly().waitFor();
    int doneBeforeKill = lines(journal);
    assertThat(doneBeforeKill).isBetween(5, BASES - 1);

    // when it is run again
    CliRun resumed = mirror(mirror, out, "--concurrency", "4");

    // then every base is there, those done before were left alone, and at most one base's own
    // layer (the one cut off) crossed twice
    assertThat(resumed.exitCode()).as(resumed.err()).isZero();
    assertThat(resumed.err()).contains("0 failed");
    long present =
        records(journal).stream()
            .skip(doneBeforeKill)
            .filter(r -> r.path("status").asText().equals("present"))
            .count();
    assertThat(present).isEqualTo(doneBeforeKill);
    RegistryWire target = new RegistryWire(TestRegistry.HOST);
    for (Map.Entry<String, String> base : digestById.entrySet()) {
      assertThat(target.manifest(rig.namespace + "/resumed", "bases-" + base.getKey()).digest())
          .isEqualTo(base.getValue());
    }
    assertThat(sourceBlobBytes.get() - before).isBetween(distinctBytes, distinctBytes + 2L * LAYER);
  }

  @Test
  void aBaseThatIsGoneFailsAloneAndTheOthersAreMirrored() throws Exception {
    // given a selection where one base does not exist
    Path ids = Files.write(dir.resolve("gone.txt"), List.of("base-1", "no-such-base", "base-2"));
    String mirror = TestRegistry.HOST + "/" + rig.namespace + "/partial";

    // when it is mirrored
    List<String> args = mirrorArgs(mirror, dir.resolve("out-gone"));
    set(args, "--dataset", ids.toString());
    CliRun run = CliRun.run(Map.of(), args.toArray(String[]::new));

    // then that base failed, named, the others are there, and the exit is 5
    assertThat(run.exitCode()).as(run.err()).isEqualTo(5);
    assertThat(run.err())
        .contains("3 base(s): 2 mirrored, 0 already there, 1 failed")
        .contains("no-such-base");
    assertThat(Files.readString(dir.resolve("out-gone/mirror.md")))
        .contains("| failed base | error |")
        .contains("bases:no-such-base");
    assertThat(
            new RegistryWire(TestRegistry.HOST)
                .headManifest(rig.namespace + "/partial", "bases-base-2"))
        .isEqualTo(200);
  }

  @Test
  void anIndexIsCopiedWholeOrAsOnePlatformsImage() throws Exception {
    // given a base that is an OCI index of an amd64 and an arm64 image
    RegistryWire wire = new RegistryWire(SOURCE);
    String name = rig.namespace + "/multi";
    RegistryWire.Manifest amd = image(wire, "multi", "amd", List.of(bytes(1001)));
    RegistryWire.Manifest arm = image(wire, "multi", "arm", List.of(bytes(1002)));
    wire.putManifest(name, amd.digest(), amd);
    wire.putManifest(name, arm.digest(), arm);
    Map<String, Object> index = new LinkedHashMap<>();
    index.put("schemaVersion", 2);
    index.put("mediaType", "application/vnd.oci.image.index.v1+json");
    index.put(
        "manifests",
        List.of(
            child(amd, Map.of("os", "linux", "architecture", "amd64")),
            child(arm, Map.of("os", "linux", "architecture", "arm64", "variant", "v8"))));
    RegistryWire.Manifest top =
        new RegistryWire.Manifest(
            JSON.writeValueAsBytes(index), "application/vnd.oci.image.index.v1+json");
    wire.putManifest(name, "1", top);
    Path ids = Files.write(dir.resolve("multi.txt"), List.of("one"));
    String template = proxied + "/" + name + ":1";
    RegistryWire target = new RegistryWire(TestRegistry.HOST);

    // when it is mirrored whole, and once more for arm64 only into another repository
    CliRun whole = mirrorOf(ids, template, rig.namespace + "/whole", "out-whole");
    CliRun arm64 =
        mirrorOf(ids, template, rig.namespace + "/arm", "out-arm", "--platform", "linux/arm64");
    CliRun again =
        mirrorOf(ids, template, rig.namespace + "/arm", "out-arm", "--platform", "linux/arm64");

    // then the whole copy is the index with both children, the arm64 copy is the arm64 image,
    // and the second arm64 run found it there by its journal
    assertThat(whole.exitCode()).as(whole.err()).isZero();
    assertThat(target.manifest(rig.namespace + "/whole", "multi-1").digest())
        .isEqualTo(top.digest());
    assertThat(target.headManifest(rig.namespace + "/whole", amd.digest())).isEqualTo(200);
    assertThat(target.headManifest(rig.namespace + "/whole", arm.digest())).isEqualTo(200);
    assertThat(arm64.exitCode()).as(arm64.err()).isZero();
    assertThat(target.manifest(rig.namespace + "/arm", "multi-1").digest()).isEqualTo(arm.digest());
    assertThat(again.exitCode()).as(again.err()).isZero();
    assertThat(again.err()).contains("1 base(s): 0 mirrored, 1 already there, 0 failed; 0 ");
  }

  private static Map<String, Object> child(
      RegistryWire.Manifest manifest, Map<String, String> platform) {
    return Map.of(
        "mediaType",
        manifest.mediaType(),
        "digest",
        manifest.digest(),
        "size",
        manifest.bytes().length,
        "platform",
        platform);
  }

  private static CliRun mirrorOf(
      Path ids, String template, String repository, String out, String... more) {
    List<String> args = mirrorArgs(TestRegistry.HOST + "/" + repository, dir.resolve(out), more);
    set(args, "--dataset", ids.toString());
    set(args, "--base-image-template", template);
    return CliRun.run(Map.of(), args.toArray(String[]::new));
  }

  private static CliRun mirror(String mirror, Path out, String... more) {
    return CliRun.run(Map.of(), mirrorArgs(mirror, out, more).toArray(String[]::new));
  }

  private static List<String> mirrorArgs(String mirror, Path out, String... more) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "mirror",
                "--benchmark",
                "custom",
                "--dataset",
                dir.resolve("ids.txt").toString(),
                "--base-image-template",
                proxied + "/" + rig.namespace + "/bases:{id}",
                "--to",
                mirror,
                "--output",
                out.toString()));
    args.addAll(List.of(more));
    return args;
  }

  /** A Docker v2 image of these layers in {@code <ns>/<repo>} of the source; its manifest. */
  private static RegistryWire.Manifest image(
      RegistryWire wire, String repo, String id, List<byte[]> layers) throws Exception {
    String name = rig.namespace + "/" + repo;
    List<Map<String, Object>> descriptors = new ArrayList<>();
    for (byte[] layer : layers) {
      descriptors.add(
          Map.of(
              "mediaType",
              "application/vnd.docker.image.rootfs.diff.tar.gzip",
              "digest",
              wire.putBlob(name, layer),
              "size",
              layer.length));
    }
    byte[] config =
        JSON.writeValueAsBytes(
            Map.of(
                "architecture",
                "amd64",
                "os",
                "linux",
                "rootfs",
                Map.of("type", "layers", "diff_ids", List.of()),
                "config",
                Map.of("Cmd", List.of("/bin/sh"), "Labels", Map.of("base", id))));
    Map<String, Object> manifest = new LinkedHashMap<>();
    manifest.put("schemaVersion", 2);
    manifest.put("mediaType", "application/vnd.docker.distribution.manifest.v2+json");
    manifest.put(
        "config",
        Map.of(
            "mediaType",
            "application/vnd.docker.container.image.v1+json",
            "digest",
            wire.putBlob(name, config),
            "size",
            config.length));
    manifest.put("layers", descriptors);
    return new RegistryWire.Manifest(
        JSON.writeValueAsBytes(manifest), "application/vnd.docker.distribution.manifest.v2+json");
  }

  private static long configSize(RegistryWire wire, RegistryWire.Manifest manifest)
      throws Exception {
    return JSON.readTree(manifest.bytes()).path("config").path("size").asLong();
  }

  /** Random bytes of a layer's size; {@code seed} -1 is the shared layer. */
  private static byte[] bytes(int seed) {
    byte[] bytes = new byte[LAYER];
    new Random(seed * 7919L + rig.namespace.hashCode()).nextBytes(bytes);
    return bytes;
  }

  private static int lines(Path file) throws Exception {
    return Files.exists(file)
        ? (int)
            Files.readAllLines(file, StandardCharsets.UTF_8).stream()
                .filter(l -> l.endsWith("}"))
                .count()
        : 0;
  }

  private static List<JsonNode> records(Path file) throws Exception {
    List<JsonNode> records = new ArrayList<>();
    for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
      records.add(JSON.readTree(line));
    }
    return records;
  }

  private static void set(List<String> args, String option, String value) {
    args.set(args.indexOf(option) + 1, value);
  }
}
