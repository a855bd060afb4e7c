package io.imagefleet.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.imagefleet.testing.BuildRig;
import io.imagefleet.testing.TestDocker;
import io.imagefleet.testing.TestRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Memory stays flat: 5,000 instances run through the whole loop (registry check, manifest, summary;
 * 100 of them through a build attempt too) in a JVM capped at 256 MiB. The other 4,900 are tagged
 * in the registry beforehand (a manifest PUT each), so they are skipped; the 100 have no base, so
 * their builds fail fast. That keeps the point at a fraction of 5,000 builds' cost.
 */
class FiveThousandIT {
  private static final String MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";
  private static final int TOTAL = 5000;
  private static final int BUILT = 100;

  @TempDir Path dir;

  @Test
  void fiveThousandInstancesRunIn256MiB() throws Exception {
    BuildRig rig = BuildRig.create(dir);
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < TOTAL; i++) {
      ids.add(String.format("owner__repo-%05d", i));
    }
    Path dataset = Files.write(dir.resolve("ids.txt"), ids);
    Path output = dir.resolve("out");
    List<String> images = plannedImages(rig, dataset, output);
    tagInRegistry(rig, images.subList(BUILT, TOTAL));

    Process process =
        new ProcessBuilder(
                command(
                    rig,
                    dataset,
                    output,
                    "--workers",
                    "8",
                    "--batch-size",
                    "500",
                    "--max-failures",
                    "5000"))
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("console.log").toFile())
            .start();

    assertThat(process.waitFor(10, TimeUnit.MINUTES)).isTrue();

    String console = Files.readString(dir.resolve("console.log"));
    assertThat(process.exitValue())
        .as(console.substring(Math.max(0, console.length() - 2000)))
        .isZero();
    assertThat(Files.readAllLines(output.resolve("manifest.jsonl"))).hasSize(TOTAL);
    var summary = new ObjectMapper().readTree(output.resolve("summary.json").toFile());
    assertThat(summary.path("planned").asInt()).isEqualTo(TOTAL);
    assertThat(summary.path("skipped").asInt()).isEqualTo(TOTAL - BUILT);
    assertThat(summary.path("failed").asInt()).isEqualTo(BUILT);
    assertThat(console).doesNotContain("OutOfMemoryError").contains("[5000/5000]");
  }

  /** The image reference of every instance, in dataset order, from a dry run. */
  private static List<String> plannedImages(BuildRig rig, Path dataset, Path output)
      throws Exception {
    Process dry =
        new ProcessBuilder(command(rig, dataset, output, "--dry-run"))
            .redirectError(ProcessBuilder.Redirect.DISCARD)
            .start();
    List<String> images =
        new String(dry.getInputStream().readAllBytes())
            .lines()
            .skip(1)
            .map(line -> line.split("\t")[2])
            .toList();
    assertThat(dry.waitFor(5, TimeUnit.MINUTES)).isTrue();
    assertThat(images).hasSize(TOTAL);
    return images;
  }

  /** Pushes one tiny image, then puts its manifest under each of {@code images}' tags. */
  private static void tagInRegistry(BuildRig rig, List<String> images) throws Exception {
    String seed = rig.image() + ":seed";
    TestDocker.buildBusyboxImage(seed, "seed", Map.of());
    TestDocker.docker(Map.of(), "push", "-q", seed);
    TestDocker.docker(Map.of(), "rmi", seed);
    HttpClient http = HttpClient.newHttpClient();
    String repository = rig.image().substring(TestRegistry.HOST.length() + 1);
    String base = "http://" + TestRegistry.HOST + "/v2/" + repository + "/manifests/";
    byte[] manifest =
        http.send(
                HttpRequest.newBuilder(URI.create(base + "seed"))
                    .header("Accept", MANIFEST)
                    .build(),
                HttpResponse.BodyHandlers.ofByteArray())
            .body();
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<Integer>> puts = new ArrayList<>();
      for (String image : images) {
        String tag = image.substring(image.lastIndexOf(':') + 1);
        puts.add(
            pool.submit(
                () ->
                    http.send(
                            HttpRequest.newBuilder(URI.create(base + tag))
                                .header("Content-Type", MANIFEST)
                                .PUT(HttpRequest.BodyPublishers.ofByteArray(manifest))
                                .build(),
                            HttpResponse.BodyHandlers.discarding())
                        .statusCode()));
      }
      for (Future<Integer> put : puts) {
        assertThat(put.get(60, TimeUnit.SECONDS)).isEqualTo(201);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  private static List<String> command(BuildRig rig, Path dataset, Path output, String... extra) {
    List<String> command =
        new ArrayList<>(
            List.of(
                "java",
                "-Xmx256m",
                "-XX:+ExitOnOutOfMemoryError",
                "-jar",
                System.getProperty("imagefleet.jar", "target/imagefleet.jar")));
    command.addAll(rig.buildArgs(dataset, output));
    command.addAll(List.of("--min-free-gb", "0"));
    command.addAll(List.of(extra));
    return command;
  }
}
