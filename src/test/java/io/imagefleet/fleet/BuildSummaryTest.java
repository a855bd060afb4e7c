package io.imagefleet.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import io.imagefleet.registry.RegistryUsage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BuildSummaryTest {

  @Test
  void idsAndErrorsStayInsideTheirCellsAndCarryNoHtmlOrLinks() {
    List<ManifestRecord> records =
        List.of(
            record("x|y", ManifestRecord.Status.BUILT, null),
            record(
                "a|b\n<script>alert(1)</script>",
                ManifestRecord.Status.FAILED,
                "exit 1 | see `log`\r\n[click](https://evil.example) & <img src=x>"));

    String markdown =
        BuildSummary.of(
                2,
                records,
                0,
                3600,
                Optional.empty(),
                Optional.empty(),
                Optional.of("disk <5 GiB\n| injected |"),
                "engine",
                true)
            .markdown();

    assertThat(markdown)
        .isEqualTo(
            "### imagefleet build: stopped early (disk &lt;5 GiB<br>&#124; injected &#124;)\n\n"
                + "| planned | built | skipped | retagged | failed | not started | already done (resume) | images/h | wall time |\n"
                + "|---|---|---|---|---|---|---|---|---|\n"
                + "| 2 | 1 | 0 | 0 | 1 | 0 | 0 | 1.0 | 1:00:00 |\n"
                + "\nBuilder: engine; sdist built once this run. Free disk on the Docker data root:"
                + " not measured before, not measured after.\n"
                + "\n```mermaid\npie showData title Images by status\n"
                + "    \"built\" : 1\n    \"failed\" : 1\n```\n"
                + "\n```mermaid\nxychart-beta\n"
                + "    title \"Slowest images (seconds; rank as in the table)\"\n"
                + "    x-axis \"rank\" [\"1\"]\n    y-axis \"seconds\"\n    bar [10]\n```\n"
                + "\n| # | slowest | seconds | attempts |\n|---|---|---|---|\n"
                + "| 1 | x&#124;y | 10.0 | 2 |\n"
                + "\n| failed | attempts | reason |\n|---|---|---|\n"
                + "| a&#124;b<br>&lt;script&gt;alert(1)&lt;/script&gt; | 2 | exit 1 &#124; see"
                + " &#96;log&#96;<br>&#91;click&#93;(https://evil.example) &amp; &lt;img src=x&gt; |\n");
    assertThat(markdown).doesNotContain("<script", "<img", "](");
  }

  @Test
  void retaggedImagesAreCountedOnTheirOwnEverywhere(@TempDir Path output) throws Exception {
    List<ManifestRecord> records =
        List.of(
            record("a", ManifestRecord.Status.BUILT, null),
            record("b", ManifestRecord.Status.RETAGGED, null),
            record("c", ManifestRecord.Status.RETAGGED, null),
            record("d", ManifestRecord.Status.SKIPPED, null));

    BuildSummary summary =
        BuildSummary.of(
            5,
            records,
            0,
            60,
            Optional.empty(),
            Optional.empty(),
            Optional.empty(),
            "engine",
            false);
    summary.write(output);

    assertThat(summary.retagged()).isEqualTo(2);
    assertThat(summary.notStarted()).isEqualTo(1);
    assertThat(summary.outputs(output.resolve("manifest.jsonl")))
        .containsEntry("built", "1")
        .containsEntry("skipped", "1")
        .containsEntry("retagged", "2");
    assertThat(summary.markdown())
        .contains("| 5 | 1 | 1 | 2 | 0 | 1 | 0 |")
        .contains("\"retagged\" : 2");
    assertThat(
            Manifest.JSON
                .readTree(output.resolve("summary.json").toFile())
                .path("retagged")
                .asInt())
        .isEqualTo(2);
  }

  @Test
  void eachRegistrysRequestsRateLimitsAndWaitGoIntoSummaryJsonAndMarkdown(@TempDir Path output)
      throws Exception {
    BuildSummary summary =
        BuildSummary.of(
                1,
                List.of(record("a", ManifestRecord.Status.BUILT, null)),
                0,
                60,
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                "append",
                false)
            .withRegistries(
                List.of(
                    new RegistryUsage("docker.io", 2, 0, 0),
                    new RegistryUsage("ghcr.io|x", 812, 3, 4.25)));

    summary.write(output);

    assertThat(Files.readString(output.resolve("summary.md")))
        .contains(
            "\n| registry | requests | rate-limited (429) | waited for the budget |\n"
                + "|---|---|---|---|\n"
                + "| docker.io | 2 | 0 | 0.0 s |\n"
                + "| ghcr.io&#124;x | 812 | 3 | 4.3 s |\n");
    assertThat(
            Manifest.JSON
                .readTree(output.resolve("summary.json").toFile())
                .path("registries")
                .toString())
        .isEqualTo(
            "[{\"host\":\"docker.io\",\"requests\":2,\"rateLimited\":0,\"secondsWaited\":0.0},"
                + "{\"host\":\"ghcr.io|x\",\"requests\":812,\"rateLimited\":3,"
                + "\"secondsWaited\":4.25}]");
  }

  @Test
  void aBuilderElsewhereSaysItsDiskIsNotMeasuredInTheSummaryTheJsonAndTheReport(
      @TempDir Path output) throws Exception {
    BuildSummary summary =
        BuildSummary.of(
                1,
                List.of(record("a", ManifestRecord.Status.BUILT, null)),
                0,
                60,
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                "buildx",
                true)
            .withUnmeasuredDisk(Optional.of("builder rb is remote, not measured"));

    summary.write(output, "");
    Files.writeString(
        output.resolve("manifest.jsonl"),
        "{\"instance\":\"a\",\"status\":\"built\",\"attempts\":1,\"seconds\":3.5}\n");
    io.imagefleet.report.Reports.write(List.of(output), output.resolve("report.html"));

    assertThat(summary.markdown())
        .contains(
            "\nBuilder: buildx; sdist built once this run. Disk: builder rb is remote, not"
                + " measured.\n")
        .doesNotContain("Free disk");
    assertThat(Files.readString(output.resolve("summary.json")))
        .contains("\"diskNotMeasured\" : \"builder rb is remote, not measured\"");
    assertThat(Files.readString(output.resolve("report.html")))
        .contains(
            "Builder: buildx; sdist built once this run. Disk: builder rb is remote, not"
                + " measured.")
        .contains("No disk measurements (disk: builder rb is remote, not measured).")
        .doesNotContain("Free disk on the Docker data root: not measured");
  }

  private static ManifestRecord record(String id, ManifestRecord.Status status, String error) {
    return new ManifestRecord(id, "base:1", List.of(), null, status, 2, 10.0, error);
  }
}
