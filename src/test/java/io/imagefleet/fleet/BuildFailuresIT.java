package io.imagefleet.fleet;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.put;
import static com.github.tomakehurst.wiremock.client.WireMock.request;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import io.imagefleet.cli.CliRun;
import io.imagefleet.testing.BuildRig;
import io.imagefleet.testing.TestDocker;
import io.imagefleet.testing.TestRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What goes wrong in a batch build, against the real daemon and registry. */
class BuildFailuresIT {
  @TempDir static Path dir;
  private static BuildRig rig;

  @BeforeAll
  static void rig() throws Exception {
    rig = BuildRig.create(dir);
    Map<String, String> markers = new LinkedHashMap<>();
    for (int i = 1; i <= 12; i++) {
      markers.put("ok-" + i, "fine " + i);
    }
    markers.put("bad-1", "fail");
    markers.put("slow-1", "hang");
    markers.put("a-slow", "hang");
    rig.pushBases(markers);
  }

  @Test
  void oneFailingImageIsReportedWithItsLogTailAndTheRestAreBuilt() throws Exception {
    Path output = dir.resolve("fail");
    Path ids = Files.write(dir.resolve("fail-ids.txt"), List.of("ok-1", "ok-2", "bad-1", "ok-3"));

    CliRun run =
        build(
            Map.of("GITHUB_ACTIONS", "true"),
            ids,
            output,
            "--workers",
            "2",
            "--max-retries",
            "2",
            "--retry-backoff",
            "1s");

    assertThat(run.exitCode()).isEqualTo(5);
    assertThat(run.err())
        .endsWith(
            "imagefleet: 1 image(s) failed (allowed: 0); see "
                + output.resolve("summary.md")
                + " and the logs\n");
    assertThat(run.err())
        .contains("::group::log tail of bad-1 (" + output.resolve("logs/bad-1.log") + ")\n")
        .contains("agent layer refuses this base")
        .contains("::error file=" + output.resolve("logs/bad-1.log") + "::bad-1: build failed: ");
    JsonNode bad = record(output, "bad-1");
    assertThat(bad.path("status").asText()).isEqualTo("failed");
    assertThat(bad.path("attempts").asInt()).as("a Dockerfile error is not retried").isEqualTo(1);
    assertThat(bad.path("error").asText()).contains("returned a non-zero code: 3");
    for (String ok : List.of("ok-1", "ok-2", "ok-3")) {
      assertThat(record(output, ok).path("status").asText()).isEqualTo("built");
    }
    assertThat(Files.readString(output.resolve("summary.md")))
        .contains("| bad-1 | 1 | build failed: ");
  }

  @Test
  void aHungBuildIsStoppedByTheImageTimeoutAndReported() throws Exception {
    Path output = dir.resolve("hang");
    Path ids = Files.write(dir.resolve("hang-ids.txt"), List.of("slow-1", "ok-4"));
    long start = System.nanoTime();

    CliRun run = build(Map.of(), ids, output, "--image-timeout", "8s", "--max-retries", "0");

    assertThat((System.nanoTime() - start) / 1e9).isLessThan(90);
    assertThat(run.exitCode()).isEqualTo(5);
    JsonNode slow = record(output, "slow-1");
    assertThat(slow.path("status").asText()).isEqualTo("failed");
    assertThat(slow.path("error").asText())
        .isEqualTo("build timed out after 8 s and was cancelled");
    assertThat(record(output, "ok-4").path("status").asText()).isEqualTo("built");
    assertThat(noSleepingBuildContainer()).as("the daemon cancelled the hung build").isTrue();
  }

  @Test
  void theDeadlineCapsTheRunningImageAndStartsNothingNew() throws Exception {
    Path output = dir.resolve("deadline");
    Path ids = Files.write(dir.resolve("deadline-ids.txt"), List.of("ok-1", "a-slow", "ok-2"));
    long start = System.nanoTime();

    CliRun run =
        build(Map.of(), ids, output, "--workers", "1", "--deadline", "10s", "--max-retries", "3");

    assertThat((System.nanoTime() - start) / 1e9).isLessThan(40);
    assertThat(run.exitCode()).isEqualTo(5);
    assertThat(run.err())
        .endsWith("imagefleet: stopped early: deadline; rerun with --resume to build the rest\n");
    assertThat(record(output, "a-slow").path("error").asText())
        .matches("build timed out after \\d+ s and was cancelled");
    assertThat(BuildIT.records(output)).hasSize(1);
    assertThat(Files.readString(output.resolve("summary.md")))
        .contains("stopped early (deadline)")
        .contains("| 3 | 0 | 0 | 0 | 1 | 2 | 0 |");
  }

  @Test
  void aKilledRunResumesWithOnlyTheMissingImages() throws Exception {
    Path output = dir.resolve("resume");
    List<String> all = List.of("ok-5", "ok-6", "ok-7", "ok-8", "ok-9", "ok-10", "ok-11", "ok-12");
    Path ids = Files.write(dir.resolve("resume-ids.txt"), all);
    Process process =
        new ProcessBuilder(command(ids, output, "--workers", "1", "--batch-size", "2"))
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("killed.log").toFile())
            .start();
    Path manifest = output.resolve("manifest.jsonl");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (lines(manifest) < 3 && System.nanoTime() < deadline && process.isAlive()) {
      Thread.sleep(100);
    }
    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    List<String> before = Files.readAllLines(manifest);
    assertThat(before.size())
        .as(Files.readString(dir.resolve("killed.log")))
        .isBetween(3, all.size() - 1);

    CliRun resumed = build(Map.of(), ids, output, "--resume");

    assertThat(resumed.exitCode()).as(resumed.err()).isZero();
    List<JsonNode> records = BuildIT.records(output);
    assertThat(records.subList(0, before.size()))
        .extracting(r -> r.path("status").asText())
        .containsOnly("built");
    List<String> rebuilt =
        records.subList(before.size(), records.size()).stream()
            .map(r -> r.path("instance").asText())
            .toList();
    List<String> first =
        records.subList(0, before.size()).stream().map(r -> r.path("instance").asText()).toList();
    assertThat(rebuilt).doesNotContainAnyElementsOf(first);
    assertThat(
            new ArrayList<>(first) {
              {
                addAll(rebuilt);
              }
            })
        .containsExactlyInAnyOrderElementsOf(all);
    assertThat(resumed.err())
        .contains(rebuilt.size() + " of 8 images to do (" + before.size() + " already done)");
  }

  @Test
  void aFlappingRegistryIsRetriedAndTheImageBuilt() throws Exception {
    WireMockServer proxy = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
    proxy.start();
    try {
      proxy.stubFor(
          any(anyUrl())
              .atPriority(10)
              .willReturn(aResponse().proxiedFrom("http://" + TestRegistry.HOST)));
      // The skip check and the manifest upload each fail once with 503 before going through.
      proxy.stubFor(
          request("HEAD", urlPathMatching("/v2/.*/flap/manifests/.*"))
              .atPriority(1)
              .inScenario("head")
              .whenScenarioStateIs(Scenario.STARTED)
              .willReturn(aResponse().withStatus(503))
              .willSetStateTo("flapped"));
      proxy.stubFor(
          put(urlPathMatching("/v2/.*/flap/manifests/.*"))
              .atPriority(1)
              .inScenario("put")
              .whenScenarioStateIs(Scenario.STARTED)
              .willReturn(aResponse().withStatus(503))
              .willSetStateTo("flapped"));
      Path output = dir.resolve("flap");
      Path ids = Files.write(dir.resolve("flap-ids.txt"), List.of("ok-12"));
      String image = "127.0.0.1:" + proxy.port() + "/" + rig.namespace + "/flap";

      CliRun run = build(Map.of(), ids, output, "--image", image, "--retry-backoff", "1s");

      assertThat(run.exitCode()).as(run.err()).isZero();
      JsonNode record = record(output, "ok-12");
      assertThat(record.path("status").asText()).isEqualTo("built");
      assertThat(record.path("attempts").asInt())
          .as("the push is tried again on its own; the image is not rebuilt")
          .isEqualTo(1);
      assertThat(Files.readString(output.resolve("logs/ok-12.log")))
          .contains("503")
          .contains("; trying the push " + image + ":")
          .doesNotContain("attempt 1 failed");
    } finally {
      proxy.stop();
    }
  }

  private static boolean noSleepingBuildContainer() throws Exception {
    for (int i = 0; i < 40; i++) {
      String running = TestDocker.docker(Map.of(), "ps", "-q", "--filter", "status=running");
      if (running.isBlank()) {
        return true;
      }
      Thread.sleep(500);
    }
    return false;
  }

  private static CliRun build(Map<String, String> env, Path ids, Path output, String... extra) {
    List<String> command = command(ids, output, extra);
    return CliRun.run(
        env, command.subList(command.indexOf("build"), command.size()).toArray(String[]::new));
  }

  /** The jar's command line; an {@code --image} among {@code extra} replaces the rig's. */
  private static List<String> command(Path ids, Path output, String... extra) {
    List<String> args =
        new ArrayList<>(
            List.of("java", "-jar", System.getProperty("imagefleet.jar", "target/imagefleet.jar")));
    args.addAll(rig.buildArgs(ids, output));
    args.addAll(List.of("--min-free-gb", "0"));
    List<String> more = new ArrayList<>(List.of(extra));
    int image = more.indexOf("--image");
    if (image >= 0) {
      args.set(args.indexOf("--image") + 1, more.get(image + 1));
      more.subList(image, image + 2).clear();
    }
    args.addAll(more);
    return args;
  }

  private static JsonNode record(Path output, String instance) throws Exception {
    JsonNode last = null;
    for (JsonNode record : BuildIT.records(output)) {
      if (record.path("instance").asText().equals(instance)) {
        last = record;
      }
    }
    assertThat(last).as("record of " + instance).isNotNull();
    return last;
  }

  private static long lines(Path file) throws Exception {
    return Files.exists(file) ? Files.readAllLines(file).size() : 0;
  }
}
