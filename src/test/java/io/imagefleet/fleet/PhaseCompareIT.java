package io.imagefleet.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.imagefleet.cli.CliRun;
import io.imagefleet.testing.BuildRig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two real engine runs, the second with a {@code sleep} in its Dockerfile: every image's phases add
 * up, and the comparison (build --history, report --compare) flags the build phase as grown.
 */
class PhaseCompareIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int IMAGES = 3;

  @TempDir static Path dir;
  private static BuildRig rig;

  @BeforeAll
  static void rig() throws Exception {
    rig = BuildRig.create(dir);
    Map<String, String> markers = new LinkedHashMap<>();
    IntStream.range(0, IMAGES).forEach(i -> markers.put("cmp-" + i, "base " + i));
    rig.pushBases(markers);
    Files.write(dir.resolve("ids.txt"), List.copyOf(markers.keySet()));
  }

  @Test
  void aSleepInTheDockerfileShowsAsAGrownBuildPhase() throws Exception {
    Path first = dir.resolve("first");
    Path second = dir.resolve("second");
    Path slower =
        Files.writeString(
            dir.resolve("slower.Dockerfile"),
            BuildRig.DOCKERFILE.replace("RUN echo", "RUN sleep 4\nRUN echo"));

    CliRun before = build(first);
    CliRun after =
        build(
            second,
            "--dockerfile",
            slower.toString(),
            "--force",
            "--history",
            first.resolve("manifest.jsonl").toString());

    assertThat(before.exitCode()).as(before.err()).isZero();
    assertThat(after.exitCode()).as(after.err()).isZero();
    List<JsonNode> old = records(first);
    List<JsonNode> now = records(second);
    for (JsonNode r : concat(old, now)) {
      assertThat(r.path("status").asText()).isEqualTo("built");
      PhaseTimesTest.assertAddsUp(r);
      // verify (a HEAD) may round to 0.00 s against the local registry, and is then left out.
      assertThat(r.path("phases").fieldNames())
          .toIterable()
          .as(r.toString())
          .contains("pull", "build", "push")
          .isSubsetOf("check", "resolve", "pull", "build", "push", "verify", "retag", "other");
      assertThat(r.has("bytes")).as("the engine can't count bytes: absent, not zero").isFalse();
    }
    assertThat(median(now, "build")).isGreaterThan(median(old, "build") + 3.5);
    String flagged = "<tr class=\"worse\"><td>build: p50 per image</td>";
    assertThat(Files.readString(second.resolve("report.html")))
        .contains("<h2>Compared with the previous run")
        .contains(flagged);
    assertThat(Files.readString(second.resolve("summary.md")))
        .containsPattern(
            "Compared with the previous run: images/h [0-9.,]+ vs [0-9.,]+ in the previous run"
                + " \\([^)]+\\): build \\+[0-9.]+ s p50\\.");
    JsonNode summary = JSON.readTree(second.resolve("summary.json").toFile());
    assertThat(summary.path("phases").path("build").asDouble()).isGreaterThan(IMAGES * 3.5);

    Path remade = dir.resolve("remade");
    CliRun report =
        CliRun.run(
            "report",
            second.toString(),
            "--compare",
            first.toString(),
            "--output",
            remade.toString());

    assertThat(report.exitCode()).as(report.err()).isZero();
    assertThat(Files.readString(remade.resolve("report.html"))).contains(flagged);
    assertThat(report.err()).contains(": build +");
  }

  private static CliRun build(Path output, String... extra) {
    List<String> args = rig.buildArgs(dir.resolve("ids.txt"), output);
    args.addAll(List.of("--min-free-gb", "0", "--workers", "3"));
    for (int i = 0; i < extra.length; i++) {
      int at = args.indexOf(extra[i]);
      if (at >= 0 && i + 1 < extra.length && !extra[i + 1].startsWith("--")) {
        args.set(at + 1, extra[++i]);
      } else {
        args.add(extra[i]);
      }
    }
    return CliRun.run(Map.of(), args.toArray(String[]::new));
  }

  private static List<JsonNode> records(Path output) throws Exception {
    List<JsonNode> records = new ArrayList<>();
    for (String line : Files.readAllLines(output.resolve("manifest.jsonl"))) {
      records.add(JSON.readTree(line));
    }
    return records;
  }

  private static double median(List<JsonNode> records, String phase) {
    double[] values =
        records.stream()
            .mapToDouble(r -> r.path("phases").path(phase).asDouble())
            .sorted()
            .toArray();
    return values[values.length / 2];
  }

  private static List<JsonNode> concat(List<JsonNode> a, List<JsonNode> b) {
    List<JsonNode> all = new ArrayList<>(a);
    all.addAll(b);
    return all;
  }
}
