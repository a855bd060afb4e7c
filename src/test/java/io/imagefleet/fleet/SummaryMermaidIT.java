package io.imagefleet.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import io.imagefleet.testing.Requirements;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * summary.md's Mermaid charts parse with the mermaid package GitHub renders them with, whatever the
 * ids; a broken chart makes the check fail.
 */
class SummaryMermaidIT {
  private static final Path CHECK = Path.of("src/test/node/check-mermaid.mjs");

  @Test
  void everyChartOfEverySummaryParses() throws Exception {
    Path dir = Files.createDirectories(Path.of("target/mermaid"));
    List<String> files = new ArrayList<>();
    files.add(write(dir, "hostile", summary(hostileRecords(12))));
    files.add(write(dir, "one", summary(hostileRecords(1))));
    files.add(write(dir, "empty", summary(List.of())));

    Result result = check(files);

    assertThat(result.out().lines())
        .containsExactly(
            files.get(0) + ": ok pie",
            files.get(0) + ": ok xychart",
            files.get(1) + ": ok pie",
            files.get(1) + ": ok xychart",
            files.get(2) + ": ok pie");
    assertThat(result.exit()).as(result.out()).isZero();
  }

  @Test
  void aBrokenChartFailsTheCheck() throws Exception {
    Path dir = Files.createDirectories(Path.of("target/mermaid"));
    String broken =
        summary(hostileRecords(3)).replace("x-axis \"rank\" [\"1\", ", "x-axis \"rank\" [\"1\" ");

    Result result = check(List.of(write(dir, "broken", broken)));

    assertThat(result.exit()).isEqualTo(1);
    assertThat(result.out()).contains(": ok pie\n").contains(": error ");
  }

  private static String summary(List<ManifestRecord> records) {
    return BuildSummary.of(
            records.size() + 2,
            records,
            0,
            600,
            Optional.of(50L << 30),
            Optional.of(40L << 30),
            Optional.empty(),
            "engine",
            true)
        .markdown(
            io.imagefleet.report.MermaidCharts.reportLine(
                Path.of("out"),
                Optional.of("a`b]"),
                Optional.of("https://github.com/o/r/actions/runs/1")));
  }

  /** Ids that would break a naive chart: quotes, brackets, commas, newlines, Mermaid comments. */
  private static List<ManifestRecord> hostileRecords(int n) {
    List<ManifestRecord> records = new ArrayList<>();
    String[] ids = {"a\"b", "x],[y", "%%{init: {}}%%", "c, d", "e\nbar [1]", "```", "f#59;g"};
    for (int i = 0; i < n; i++) {
      ManifestRecord.Status status =
          i % 4 == 3 ? ManifestRecord.Status.FAILED : ManifestRecord.Status.BUILT;
      records.add(
          new ManifestRecord(
              ids[i % ids.length] + i, "b:1", List.of(), null, status, 1, 10.5 * (i + 1), "e\"]"));
    }
    return records;
  }

  private static String write(Path dir, String name, String markdown) throws Exception {
    return Files.writeString(dir.resolve(name + ".md"), markdown).toString();
  }

  private record Result(int exit, String out) {}

  private static Result check(List<String> files) throws Exception {
    Requirements.require(
        Files.isDirectory(Path.of("node_modules/mermaid"))
            && Files.isDirectory(Path.of("node_modules/jsdom")),
        "the mermaid and jsdom npm packages (npm ci)");
    List<String> command = new ArrayList<>(List.of("node", CHECK.toString()));
    command.addAll(files);
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(process.getInputStream().readAllBytes());
    assertThat(process.waitFor(120, TimeUnit.SECONDS)).isTrue();
    return new Result(process.exitValue(), out);
  }
}
