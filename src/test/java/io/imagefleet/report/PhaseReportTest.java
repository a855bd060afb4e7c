package io.imagefleet.report;

import static org.assertj.core.api.Assertions.assertThat;

import io.imagefleet.cli.CliRun;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where the time went, what the blobs cost, and the comparison with a previous run. */
class PhaseReportTest {
  private static final Pattern IMAGE_ROW = Pattern.compile("<text class=\"lane\"[^>]*>([^<]*)<");

  @TempDir Path dir;

  @Test
  void theFiftyLongestImagesGetABarEachAndTheRestOneBarOfTheirMean() throws Exception {
    Path out = Fixtures.phased(dir.resolve("out"), 60, 1.0, 0, 130.0);

    String html = Reports.write(List.of(out), out.resolve("r.html")).shards() == 1 ? read(out) : "";

    String images = section(html, "<svg class=\"phases images\"", "</svg>");
    List<String> rows = new ArrayList<>();
    Matcher m = IMAGE_ROW.matcher(images);
    while (m.find()) {
      rows.add(m.group(1));
    }
    assertThat(rows).hasSize(51);
    assertThat(rows.get(0)).isEqualTo("img-59 (built)");
    assertThat(rows.get(49)).isEqualTo("img-10 (built)");
    assertThat(rows.get(50)).isEqualTo("others: mean of 10 images");
    // img-4 is 4 s of build plus 1 s of push; the mean of img-0..9 is 4.5 s of build.
    assertThat(images)
        .contains("<title>others: mean of 10 images: build 4.5 s</title>")
        .contains("<title>img-59 (built): push / upload 1.0 s</title>");
    assertThat(html)
        .contains("<table class=\"phases\">")
        .contains(
            "<tr><td><span class=\"key ph-build\"></span>build</td><td>1770.0</td><td>97%</td>"
                + "<td>29.0 s</td><td>60</td></tr>")
        .contains("dispatcher held images back for disk for 12.5 s");
  }

  @Test
  void phaseIdsAndBytesFromTheManifestAreEscapedAndJunkIsLeftOut() throws Exception {
    Path out = Files.createDirectories(dir.resolve("hostile"));
    Files.writeString(
        out.resolve("manifest.jsonl"),
        Fixtures.record("a<b>", "built", 0, 0, 1, 10, null)
            + ",\"phases\":{\"<script>p</script>\":4.0,\"build\":\"six\",\"push\":-3,"
            + "\"other\":6.0},\"bytes\":{\"streamed\":1024,\"mounted\":3072,\"x\":\"y\"}}\n");

    String html = HtmlReport.render(List.of(Shard.read(out)));

    assertThat(html)
        .contains("class=\"key ph-unknown\"></span>&lt;script&gt;p&lt;/script&gt;")
        .doesNotContain("<script>p")
        .doesNotContain("class=\"ph-push\"")
        .doesNotContain("<td>pulled</td>")
        .contains("1.0 KiB moved, 3.0 KiB reused (75%)")
        .contains("<tr><td>mounted</td><td>3.0 KiB</td><td>75%</td></tr>");
  }

  @Test
  void anEngineRunSaysItsBytesAreNotCounted() throws Exception {
    Path out = Fixtures.phased(dir.resolve("engine"), 3, 1.0, 0, 20.0);

    assertThat(HtmlReport.render(List.of(Shard.read(out))))
        .contains("<p class=\"none\">Not counted: the engine and buildx builders");
  }

  @Test
  void mergedShardsSumTheirPhases() throws Exception {
    Fixtures.phased(dir.resolve("shards/a"), 3, 1.0, 0, 20.0);
    Fixtures.phased(dir.resolve("shards/b"), 3, 1.0, 0, 20.0);

    String html = HtmlReport.render(Reports.read(List.of(dir.resolve("shards"))));

    // build: 2 × (0 + 1 + 2) s; push: 6 × 1 s.
    assertThat(html)
        .contains("<td>6.0</td><td>50%</td><td>1.0 s</td><td>6</td></tr>")
        .contains("The seconds of 6 image(s) by phase");
  }

  @Test
  void reportCompareFlagsTheGrownBuildPhaseAndTheImagesThatGrewMost() throws Exception {
    Path old = Fixtures.phased(dir.resolve("old"), 12, 1.0, 0, 100.0);
    Path now = Fixtures.phased(dir.resolve("new"), 12, 1.0, 5, 200.0);
    Path summary = dir.resolve("step-summary.md");
    Files.writeString(summary, "");

    CliRun run =
        CliRun.run(
            java.util.Map.of("GITHUB_STEP_SUMMARY", summary.toString()),
            "report",
            now.toString(),
            "--compare",
            old.toString());

    assertThat(run.exitCode()).as(run.err()).isZero();
    String html = read(now);
    assertThat(html)
        .contains("<h2>Compared with the previous run <span class=\"n\">" + old + "</span></h2>")
        .contains(
            "<tr class=\"worse\"><td>images/h</td><td>432</td><td>216</td><td>\u221250%</td></tr>")
        .contains(
            "<tr class=\"worse\"><td>build: p50 per image</td><td>5.0 s</td><td>10.0 s</td>"
                + "<td>+100%</td></tr>")
        .contains(
            "<tr class=\"worse\"><td>p50 image seconds</td><td>6.0 s</td><td>11.0 s</td>"
                + "<td>+83%</td></tr>")
        .contains("<tr><td>push / upload: total</td><td>12.0 s</td><td>12.0 s</td><td>±0%</td>");
    String grown = section(html, "<table class=\"grown\">", "</table>");
    assertThat(grown.split("<tr>", -1)).hasSize(12); // the header and ten images
    assertThat(grown)
        .contains(
            "<tr><td>img-0</td><td>1.0 s</td><td>6.0 s</td><td>+5.0 s</td>"
                + "<td>build +5.0 s</td></tr>");
    String line =
        "Compared with the previous run: images/h 216 vs 432 in the previous run (\u221250%):"
            + " build +5.0 s p50.";
    assertThat(Files.readString(summary)).contains(line);
    assertThat(run.err()).contains("imagefleet report: " + line);
  }

  @Test
  void aComparisonWithAManifestAloneTakesItsTimesFromTheRecords() throws Exception {
    Path old = Fixtures.phased(dir.resolve("old"), 4, 1.0, 0, 100.0);
    Files.delete(old.resolve("summary.json"));
    Path copy = Files.copy(old.resolve("manifest.jsonl"), dir.resolve("earlier.jsonl"));
    Path now = Fixtures.phased(dir.resolve("new"), 4, 1.0, 0, 100.0);

    Reports.Summary summary =
        Reports.write(
            List.of(now),
            now.resolve("report.html"),
            Optional.of(Reports.PreviousRun.ofManifest(copy)));

    // 4 built over the manifest's span: images start 10 s apart, the last ends at 30 + 4 s.
    assertThat(summary.comparison().orElseThrow())
        .startsWith("\nCompared with the previous run: images/h 144 vs 424 in the previous run");
  }

  private static String read(Path out) throws IOException {
    Path file = out.resolve("r.html");
    return Files.readString(Files.exists(file) ? file : out.resolve("report.html"));
  }

  private static String section(String html, String from, String to) {
    int start = html.indexOf(from);
    assertThat(start).as(from).isNotNegative();
    return html.substring(start, html.indexOf(to, start) + to.length());
  }
}
