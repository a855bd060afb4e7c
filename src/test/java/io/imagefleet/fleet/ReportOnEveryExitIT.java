package io.imagefleet.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.imagefleet.cli.CliRun;
import io.imagefleet.testing.BuildRig;
import io.imagefleet.testing.SmallDiskDaemon;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A daemon that dies mid-run and a cancelled run both end cleanly, with their report. */
class ReportOnEveryExitIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  @TempDir static Path dir;
  private static BuildRig rig;
  private static List<String> ids = new ArrayList<>();

  @BeforeAll
  static void rig() throws Exception {
    rig = BuildRig.create(dir);
    Map<String, String> markers = new LinkedHashMap<>();
    for (int i = 1; i <= 8; i++) {
      ids.add("slow-" + i);
      markers.put("slow-" + i, "takes a while " + i);
    }
    markers.put("hang", "hang");
    rig.pushBases(markers);
    // Each image takes a few seconds, so there is time to pull the plug mid-run.
    Files.writeString(rig.dockerfile, BuildRig.DOCKERFILE + "RUN sleep 3\n");
  }

  @Test
  void aDaemonKilledMidRunStopsWithExitFourAndAReportThenResumeFinishes() throws Exception {
    Path dataset = Files.write(dir.resolve("ids.txt"), ids);
    Path output = dir.resolve("killed");
    try (SmallDiskDaemon daemon = SmallDiskDaemon.start(1024)) {
      CompletableFuture<CliRun> run =
          CompletableFuture.supplyAsync(
              () -> build(daemon.environment(), dataset, output, "--workers", "2"));
      Path manifest = output.resolve("manifest.jsonl");
      long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
      while (lines(manifest) < 2 && System.nanoTime() < until && !run.isDone()) {
        Thread.sleep(100);
      }
      daemon.kill();
      CliRun killed = run.get(120, TimeUnit.SECONDS);

      assertThat(killed.exitCode()).as(killed.err()).isEqualTo(4);
      String lastLine = killed.err().lines().reduce((a, b) -> b).orElse("");
      assertThat(lastLine)
          .matches(
              "imagefleet: Docker daemon at unix://.*/docker.sock stopped answering after \\d+"
                  + " images; start it and rerun with --resume");
      JsonNode summary = JSON.readTree(output.resolve("summary.json").toFile());
      assertThat(summary.path("stoppedEarly").asText()).isEqualTo("unreachable");
      assertThat(Files.readString(output.resolve("summary.md"))).contains("unreachable");
      assertThat(Files.readString(output.resolve("report.html")))
          .contains("<h1>imagefleet build: stopped early (unreachable)</h1>");
      assertThat(summary.path("built").asInt()).isBetween(2, 7);
      assertThat(summary.path("built").asInt() + summary.path("failed").asInt())
          .isEqualTo(BuildIT.records(output).size());

      daemon.launch();
      CliRun resumed = build(daemon.environment(), dataset, output, "--workers", "2", "--resume");

      assertThat(resumed.exitCode()).as(resumed.err()).isZero();
      Map<String, String> last = new LinkedHashMap<>();
      BuildIT.records(output)
          .forEach(r -> last.put(r.path("instance").asText(), r.path("status").asText()));
      assertThat(last.keySet()).containsExactlyInAnyOrderElementsOf(ids);
      assertThat(last.values()).allMatch(s -> s.equals("built") || s.equals("skipped"));
    }
  }

  @Test
  void sigtermCancelsTheImagesInFlightAndWritesTheReportWithinTenSeconds() throws Exception {
    Path dataset = Files.write(dir.resolve("hang.txt"), List.of("hang"));
    Path output = dir.resolve("sigterm");
    List<String> command =
        new ArrayList<>(
            List.of("java", "-jar", System.getProperty("imagefleet.jar", "target/imagefleet.jar")));
    command.addAll(rig.buildArgs(dataset, output));
    command.addAll(List.of("--min-free-gb", "0"));
    Process process =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("sigterm.log").toFile())
            .start();
    Path log = output.resolve("logs/hang.log");
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (!(Files.exists(log) && Files.readString(log).contains("sleep 600"))
        && System.nanoTime() < until) {
      Thread.sleep(200);
    }
    long start = System.nanoTime();

    process.destroy(); // SIGTERM, as a cancelled workflow sends

    assertThat(process.waitFor(10, TimeUnit.SECONDS)).isTrue();
    assertThat((System.nanoTime() - start) / 1e9).isLessThan(10);
    String console = Files.readString(dir.resolve("sigterm.log"));
    assertThat(console).contains("imagefleet build: cancelled");
    JsonNode summary = JSON.readTree(output.resolve("summary.json").toFile());
    assertThat(summary.path("stoppedEarly").asText()).as(console).isEqualTo("cancelled");
    assertThat(summary.path("failed").asInt()).as(console).isEqualTo(1);
    JsonNode record = BuildIT.records(output).get(0);
    assertThat(record.path("status").asText()).isEqualTo("failed");
    assertThat(record.path("error").asText()).startsWith("cancelled (");
    assertThat(Files.readString(output.resolve("report.html")))
        .contains("<h1>imagefleet build: stopped early (cancelled)</h1>")
        .contains("<h2>Failures <span class=\"n\">1</span></h2>");
  }

  private static CliRun build(Map<String, String> env, Path dataset, Path output, String... extra) {
    List<String> args = new ArrayList<>(rig.buildArgs(dataset, output));
    args.addAll(List.of("--min-free-gb", "0"));
    args.addAll(List.of(extra));
    return CliRun.run(env, args.toArray(String[]::new));
  }

  private static long lines(Path file) throws Exception {
    return Files.exists(file) ? Files.readAllLines(file).size() : 0;
  }
}
