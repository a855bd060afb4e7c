package io.imagefleet.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.imagefleet.testing.RegistryWire;
import io.imagefleet.testing.TestRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code imagefleet check} over SWE-bench full's size (2,294 instances) against the local registry:
 * one tiny image pushed through the distribution API, its manifest put under every instance's tag,
 * then the real jar's check, end to end, under 60 s; with three tags deleted, exactly those three
 * reported missing. No daemon needed.
 */
class CheckSweBenchFullIT {
  private static final int INSTANCES = 2_294;
  private static final double LIMIT_SECONDS = 60;
  private static final String SDK_COMMIT = "0123456789abcdef0123456789abcdef01234567";
  private static final RegistryWire REGISTRY = new RegistryWire(TestRegistry.HOST);
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;
  private final String name = "t" + UUID.randomUUID().toString().substring(0, 8) + "/agent";

  @Test
  void checksTwoThousandTwoHundredNinetyFourTagsUnderAMinuteAndFindsTheDeletedOnes()
      throws Exception {
    // given 2,294 SWE-bench-shaped instances, every one's image tag in the registry; three of
    // them point to an image of their own, so deleting that manifest deletes exactly their tags
    TestRegistry.require();
    List<String> ids = ids();
    Files.write(dir.resolve("ids.txt"), ids);
    List<String> doomed = List.of(ids.get(7), ids.get(1_000), ids.get(INSTANCES - 1));
    RegistryWire.Manifest kept = pushImage(name, "kept");
    RegistryWire.Manifest other = pushImage(name, "doomed");
    putTags(name, ids, doomed, kept, other);

    // when
    long start = System.nanoTime();
    Check all = check(dir.resolve("all"));
    double seconds = (System.nanoTime() - start) / 1e9;

    // then every one is present, well within the minute
    System.out.printf(
        Locale.ROOT,
        "CheckSweBenchFullIT: %d tags, imagefleet check end to end %.1f s (%s)%n",
        INSTANCES,
        seconds,
        all.err().strip());
    assertThat(all.exit()).as(all.err()).isZero();
    assertThat(all.err())
        .contains(": 2294 expected, 2294 present, 0 missing (")
        .contains("registry 127.0.0.1:5000: 2294 requests, 0 rate-limited"); // one HEAD a tag
    assertThat(Files.readAllLines(dir.resolve("all/check.jsonl")))
        .hasSize(INSTANCES)
        .allMatch(line -> line.contains("\"status\":\"present\""));
    assertThat(seconds).isLessThan(LIMIT_SECONDS);

    // when the three tags are deleted (with the manifest only they name)
    REGISTRY.deleteManifest(name, other.digest());
    Check after = check(dir.resolve("after"));

    // then exactly they are missing (exit 5)
    assertThat(after.exit()).as(after.err()).isEqualTo(5);
    assertThat(after.err()).contains(": 2294 expected, 2291 present, 3 missing (");
    assertThat(after.out().lines())
        .containsExactlyInAnyOrderElementsOf(
            doomed.stream().map(id -> TestRegistry.HOST + "/" + name + ":" + tag(id)).toList());
    REGISTRY.deleteManifest(name, kept.digest()); // and the other 2,291 tags with it
  }

  /** SWE-bench full's 2,294 ids in its shape: owner__repo-number over 12 repositories. */
  private static List<String> ids() {
    String[] repos = {
      "astropy__astropy", "django__django", "matplotlib__matplotlib", "mwaskom__seaborn",
      "pallets__flask", "psf__requests", "pydata__xarray", "pylint-dev__pylint",
      "pytest-dev__pytest", "scikit-learn__scikit-learn", "sphinx-doc__sphinx", "sympy__sympy"
    };
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < INSTANCES; i++) {
      ids.add(repos[i % repos.length] + "-" + (10_000 + i));
    }
    return ids;
  }

  /** The tag check expects for an id: BaseImageRule's SWE-bench base, ImageTags' shape. */
  private static String tag(String id) {
    return SDK_COMMIT.substring(0, 7)
        + "-sweb.eval.x86_64."
        + id.toLowerCase(Locale.ROOT).replace("__", "_1776_");
  }

  /** One layer (an empty tar) and a config labelled {@code label}: blobs, then the manifest. */
  private static RegistryWire.Manifest pushImage(String name, String label) throws IOException {
    byte[] tar = new byte[1024];
    ByteArrayOutputStream gzipped = new ByteArrayOutputStream();
    try (GZIPOutputStream gzip = new GZIPOutputStream(gzipped)) {
      gzip.write(tar);
    }
    byte[] layer = gzipped.toByteArray();
    ObjectNode config = JSON.createObjectNode().put("architecture", "amd64").put("os", "linux");
    config.putObject("config").putObject("Labels").put("copy", label);
    config
        .putObject("rootfs")
        .put("type", "layers")
        .putArray("diff_ids")
        .add(RegistryWire.sha256(tar));
    byte[] configBytes = JSON.writeValueAsBytes(config);
    ObjectNode manifest =
        JSON.createObjectNode()
            .put("schemaVersion", 2)
            .put("mediaType", "application/vnd.docker.distribution.manifest.v2+json");
    manifest
        .putObject("config")
        .put("mediaType", "application/vnd.docker.container.image.v1+json")
        .put("size", configBytes.length)
        .put("digest", REGISTRY.putBlob(name, configBytes));
    manifest
        .putArray("layers")
        .addObject()
        .put("mediaType", "application/vnd.docker.image.rootfs.diff.tar.gzip")
        .put("size", layer.length)
        .put("digest", REGISTRY.putBlob(name, layer));
    return new RegistryWire.Manifest(
        JSON.writeValueAsBytes(manifest), "application/vnd.docker.distribution.manifest.v2+json");
  }

  /** PUT the manifest under each id's tag ({@code other} for the doomed ones), 8 at a time. */
  private static void putTags(
      String name,
      List<String> ids,
      List<String> doomed,
      RegistryWire.Manifest kept,
      RegistryWire.Manifest other)
      throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<String>> puts = new ArrayList<>();
      for (String id : ids) {
        RegistryWire.Manifest manifest = doomed.contains(id) ? other : kept;
        puts.add(pool.submit(() -> REGISTRY.putManifest(name, tag(id), manifest)));
      }
      for (Future<String> put : puts) {
        put.get(2, TimeUnit.MINUTES);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  private record Check(int exit, String out, String err) {}

  /** The real jar, as a user runs it: {@code imagefleet check} over ids.txt. */
  private Check check(Path output) throws Exception {
    List<String> command =
        List.of(
            "java",
            "-jar",
            System.getProperty("imagefleet.jar", "target/imagefleet.jar"),
            "check",
            "--benchmark",
            "swe-bench",
            "--dataset",
            dir.resolve("ids.txt").toString(),
            "--sdk-commit",
            SDK_COMMIT,
            "--image",
            TestRegistry.HOST + "/" + name,
            "--output",
            output.toString());
    Process process =
        new ProcessBuilder(command)
            .redirectOutput(dir.resolve(output.getFileName() + ".out").toFile())
            .redirectError(dir.resolve(output.getFileName() + ".err").toFile())
            .start();
    if (!process.waitFor(5, TimeUnit.MINUTES)) {
      process.destroyForcibly();
      throw new AssertionError("imagefleet check ran over 5 minutes");
    }
    return new Check(
        process.exitValue(),
        Files.readString(dir.resolve(output.getFileName() + ".out"), StandardCharsets.UTF_8),
        Files.readString(dir.resolve(output.getFileName() + ".err"), StandardCharsets.UTF_8));
  }
}
