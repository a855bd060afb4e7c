package io.imagefleet.report;

import static org.assertj.core.api.Assertions.assertThat;

import io.imagefleet.cli.CliRun;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportTest {
  private static final Pattern BAR =
      Pattern.compile("<rect class=\"(built|skipped|failed|retried)\"[^>]*><title>([^<]*)</title>");

  @TempDir Path dir;

  @Test
  void oneBarPerAttemptColouredByOutcomeWithTheImageInItsTitle() throws Exception {
    Path out = Fixtures.sample(dir.resolve("out"));

    String html = render(out);

    List<String[]> bars = bars(timeline(html));
    assertThat(bars)
        .extracting(b -> b[0])
        .containsExactly("built", "retried", "failed", "failed", "retried", "built", "skipped");
    assertThat(bars.get(5)[1])
        .isEqualTo(
            "ok__two · 127.0.0.1:5000/ns/agent:0123456-ok__two · 50.0 s · built · attempt 2 of 2");
    assertThat(bars.get(4)[1])
        .endsWith("20.0 s · retried · attempt 1 of 2 · grpc server closed unexpectedly");
    assertThat(html)
        .contains("<text class=\"lane\" x=\"124\" y=\"32\">worker 0</text>")
        .contains("<text class=\"lane\" x=\"124\" y=\"46\">worker 1</text>")
        .contains("1 image(s) have no start time in the manifest")
        .contains("1 line(s) of manifest.jsonl, disk.jsonl or summary.json could not be read");
  }

  @Test
  void registryBudgetsFromSummaryJsonAreTabledEscapedAndOlderSummariesHaveNone() throws Exception {
    Path out = Fixtures.sample(dir.resolve("out"));
    assertThat(render(out)).doesNotContain("Registries");
    Path summary = out.resolve("summary.json");
    String json = Files.readString(summary);
    Files.writeString(
        summary,
        json.substring(0, json.length() - 1)
            + ",\"registries\":[{\"host\":\"ghcr.io\",\"requests\":812,\"rateLimited\":3,"
            + "\"secondsWaited\":4.25},{\"host\":\"<script>x</script>\",\"requests\":1},"
            + "\"junk\",{\"requests\":5}]}");

    String html = render(out);

    assertThat(html)
        .contains(
            "<h2>Registries</h2>\n<table class=\"registries\"><tr><th>registry</th>"
                + "<th>requests</th><th>rate-limited (429)</th><th>waited for the budget</th></tr>\n"
                + "<tr><td>&lt;script&gt;x&lt;/script&gt;</td><td>1</td><td>0</td><td>0.0 s</td>"
                + "</tr>\n<tr><td>ghcr.io</td><td>812</td><td>3</td><td>4.3 s</td></tr>\n</table>")
        .doesNotContain("<script>x");
  }

  @Test
  void countsAndSdistLineComeFromSummaryJson() throws Exception {
    String html = render(Fixtures.sample(dir.resolve("out")));

    assertThat(html)
        .contains("<h1>imagefleet build: some images failed</h1>")
        .contains(
            "<tr><td>7</td><td>3</td><td>1</td><td>2</td><td>1</td><td>0</td><td>83.1</td>"
                + "<td>0:02:10</td></tr>")
        .contains(
            "Builder: engine; sdist built once this run. Free disk on the Docker data root:"
                + " 50.0 GiB before, 38.0 GiB after.");
  }

  @Test
  void hostileIdsErrorsAndLogsAreInertAndNothingIsFetched() throws Exception {
    String html = render(Fixtures.sample(dir.resolve("out")));

    assertThat(html)
        .doesNotContain("<script", "<img", "</pre><", "\u001B", "http://", "https://", "url(")
        .doesNotContainPattern("(?i)<[a-z][^>]*\\s(src|href|on[a-z]+)=")
        .contains("evil__&lt;script&gt;alert(1)&lt;/script&gt;&quot;&amp;&#39;")
        .contains("&lt;/pre&gt;&lt;script&gt;alert(3)&lt;/script&gt;\nred\nexit 3</pre>")
        .contains("content=\"default-src 'none'; style-src 'unsafe-inline'\"");
  }

  @Test
  void failuresAreGroupedByReasonWithTheirLogTails() throws Exception {
    String html = render(Fixtures.sample(dir.resolve("out")));

    assertThat(html)
        .contains("<h2>Failures <span class=\"n\">2</span></h2>")
        .contains("<h3>build timed out after 8 s and was cancelled <span class=\"n\">1</span></h3>")
        .contains("<h3>exit 3 &lt;img src=x onerror=alert(2)&gt; <span class=\"n\">1</span></h3>")
        .contains("(no log at bad__three.log)");
  }

  @Test
  void aFailureHeadingIsAMessageAsWrittenNotABlurOfIt() throws Exception {
    Path out = Files.createDirectories(dir.resolve("alike"));
    String a =
        "push layer 1 to ghcr.io/o/r failed: HTTP 500 Status 500: {'message': 'blob upload unknown'}";
    String b = "push layer 22 to ghcr.io/o/r failed: HTTP 503 Status 503: {'message': 'try later'}";
    Files.writeString(
        out.resolve("manifest.jsonl"),
        "{\"instance\":\"a-1\",\"status\":\"failed\",\"attempts\":1,\"seconds\":3,\"error\":\""
            + a
            + "\"}\n"
            + "{\"instance\":\"b-22\",\"status\":\"failed\",\"attempts\":1,\"seconds\":3,\"error\":\""
            + b
            + "\"}\n");

    String html = render(out);

    // Two messages that differ only in numbers and quoted text are one group, headed by the first.
    assertThat(html)
        .contains(
            "<h3>push layer 1 to ghcr.io/o/r failed: HTTP 500 Status 500: {&#39;message&#39;:"
                + " &#39;blob upload unknown&#39;} <span class=\"n\">2</span>")
        .doesNotContain("HTTP N", "Status N", "'…'", "&#39;…&#39;");
  }

  @Test
  void freeDiskIsDrawnWithItsFloorAndPrunes() throws Exception {
    String html = render(Fixtures.sample(dir.resolve("out")));

    assertThat(html)
        .contains("<polyline class=\"free s0\" points=\"")
        .contains("<polyline class=\"floor\"");
    assertThat(Pattern.compile("<circle class=\"prune\"").matcher(html).results().count()).isOne();
    assertThat(html).contains("<title>pruned 22.0 GiB, then 40.0 GiB free</title>");
  }

  @Test
  void anOldManifestWithoutTimesOrSummaryStillReports() throws Exception {
    Path out = Files.createDirectories(dir.resolve("old"));
    Files.writeString(
        out.resolve("manifest.jsonl"),
        "{\"instance\":\"a\",\"status\":\"built\",\"attempts\":1,\"seconds\":3.5}\n"
            + "{\"instance\":\"b\",\"status\":\"failed\",\"attempts\":2,\"seconds\":9,\"error\":\"x\"}\n");

    String html = render(out);

    assertThat(html)
        .doesNotContain("<svg class=\"timeline\"")
        .contains("2 image(s) have no start time")
        .contains("<tr><td>2</td><td>1</td><td>0</td><td>1</td>")
        .contains("1 output directory has no summary.json")
        .contains("No disk measurements");
  }

  @Test
  void twoShardsMergeIntoTheUnionWithTheirLanesApart() throws Exception {
    Path a = Fixtures.sample(dir.resolve("shards/shard-1"));
    Path b = Files.createDirectories(dir.resolve("shards/shard-2"));
    Files.writeString(
        b.resolve("manifest.jsonl"),
        Fixtures.record("other__one", "built", 0, 10, 1, 40, null)
            + ",\"runs\":[{\"started\":\""
            + Fixtures.at(10)
            + "\",\"seconds\":40.0}]}\n");

    CliRun run =
        CliRun.run(
            "report",
            dir.resolve("shards").toString(),
            "--output",
            dir.resolve("merged").toString());

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.err())
        .isEqualTo(
            "imagefleet report: 2 output directories, built 4, skipped 1, failed 2; wrote "
                + dir.resolve("merged/report.html")
                + "\n");
    String html = Files.readString(dir.resolve("merged/report.html"));
    assertThat(bars(timeline(html))).hasSize(8);
    assertThat(html)
        .contains(">shard-1 · worker 0</text>")
        .contains(">shard-1 · worker 1</text>")
        .contains(">shard-2 · worker 0</text>")
        .contains("sdist built in 1 of 2 shards")
        .contains("<tr><td>shard-2</td><td>1</td><td>0</td><td>0</td>");
    String separately = Files.readString(Path.of(run(a, b)));
    assertThat(separately).isEqualTo(html);
  }

  @Test
  void theReportCommandRemakesTheSameFile() throws Exception {
    Path out = Fixtures.sample(dir.resolve("out"));
    Reports.write(List.of(out), out.resolve("report.html"));
    String first = Files.readString(out.resolve("report.html"));

    CliRun run = CliRun.run("report", out.toString());

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(Files.readString(out.resolve("report.html"))).isEqualTo(first);
  }

  @Test
  void aMissingDirectoryExitsTwoNamingIt() {
    CliRun run = CliRun.run("report", dir.resolve("nope").toString());

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err())
        .isEqualTo(
            "imagefleet: "
                + dir.resolve("nope")
                + " is no directory; give the --output directory of a build\n");
  }

  @Test
  void aDirectoryWithoutBuildOutputsExitsTwo() throws Exception {
    Path empty = Files.createDirectories(dir.resolve("empty"));

    CliRun run = CliRun.run("report", empty.toString());

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err())
        .isEqualTo(
            "imagefleet: "
                + empty
                + ": no build outputs found (no manifest.jsonl or summary.json, here or in a"
                + " subdirectory); give a build's --output directory or a directory of them\n");
    assertThat(empty.resolve("report.html")).doesNotExist();
  }

  @Test
  void aManifestWithNoReadableRecordExitsTwo() throws Exception {
    Path out = Files.createDirectories(dir.resolve("corrupt"));
    Files.writeString(out.resolve("manifest.jsonl"), "PK\u0003\u0004garbage\n{oops\n");

    CliRun run = CliRun.run("report", out.toString());

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err())
        .isEqualTo(
            "imagefleet: "
                + out.resolve("manifest.jsonl")
                + ": no manifest record in its 2 lines; give the manifest.jsonl a build wrote\n");
  }

  @Test
  void anEmptyDiskLogIsNotCalledMissing() throws Exception {
    Path out = Files.createDirectories(dir.resolve("no-checks"));
    Files.writeString(
        out.resolve("manifest.jsonl"),
        "{\"instance\":\"a\",\"status\":\"built\",\"attempts\":1,\"seconds\":3.5}\n");
    Files.writeString(out.resolve("disk.jsonl"), "");

    assertThat(render(out))
        .contains("No disk measurements (disk.jsonl holds none: no free-disk check ran).")
        .doesNotContain("wrote no disk.jsonl");
  }

  @Test
  void fiveThousandImagesRenderQuicklyIntoALeanFile() throws Exception {
    Path out = Files.createDirectories(dir.resolve("big"));
    StringBuilder manifest = new StringBuilder();
    for (int i = 0; i < 5000; i++) {
      String id = String.format("django__django-%05d", i);
      int lane = i % 8;
      double start = (i / 8) * 70.0 + lane;
      boolean retried = i % 50 == 0;
      String status = i % 100 == 7 ? "failed" : "built";
      manifest
          .append(
              Fixtures.record(
                  id,
                  status,
                  lane,
                  (int) start,
                  retried ? 2 : 1,
                  60,
                  status.equals("failed") ? "build failed: exit 1" : null))
          .append(",\"runs\":[")
          .append(
              retried
                  ? "{\"started\":\""
                      + Fixtures.at(start)
                      + "\",\"seconds\":10.0,\"error\":\"grpc server closed unexpectedly\"},"
                  : "")
          .append("{\"started\":\"")
          .append(Fixtures.at(start + (retried ? 10 : 0)))
          .append("\",\"seconds\":50.0}]}\n");
    }
    Files.writeString(out.resolve("manifest.jsonl"), manifest);
    long begin = System.nanoTime();

    Reports.write(List.of(out), out.resolve("report.html"));

    double seconds = (System.nanoTime() - begin) / 1e9;
    long bytes = Files.size(out.resolve("report.html"));
    String html = Files.readString(out.resolve("report.html"));
    assertThat(bars(timeline(html))).hasSize(5100);
    assertThat(seconds).as("seconds to render 5,000 images").isLessThan(5);
    assertThat(bytes).as("bytes of report.html for 5,000 images").isLessThan(2_500_000);
  }

  private String run(Path... dirs) throws Exception {
    Path target = dir.resolve("separately/report.html");
    Reports.write(List.of(dirs), target);
    return target.toString();
  }

  private static String render(Path out) throws Exception {
    Reports.write(List.of(out), out.resolve("report.html"));
    return Files.readString(out.resolve("report.html"));
  }

  private static String timeline(String html) {
    int from = html.indexOf("<svg class=\"timeline\"");
    assertThat(from).as("a timeline").isNotNegative();
    return html.substring(from, html.indexOf("</svg>", from));
  }

  private static List<String[]> bars(String svg) {
    Matcher m = BAR.matcher(svg);
    List<String[]> bars = new java.util.ArrayList<>();
    while (m.find()) {
      bars.add(new String[] {m.group(1), m.group(2)});
    }
    return bars;
  }
}
