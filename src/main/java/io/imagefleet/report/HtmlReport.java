package io.imagefleet.report;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * report.html: one self-contained page (inline CSS and SVG, no script, nothing fetched; its
 * Content-Security-Policy forbids both) that opens from a downloaded artifact.
 */
final class HtmlReport {
  private static final String CSS =
      """
      body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:24px auto;\
      max-width:1100px;padding:0 16px;color:#1f2328;background:#fff}
      h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px;\
      border-bottom:1px solid #d0d7de;padding-bottom:4px}h3{font-size:14px;margin:14px 0 6px}
      table{border-collapse:collapse;margin:8px 0}td,th{border:1px solid #d0d7de;\
      padding:4px 10px;text-align:right}th{background:#f6f8fa}
      svg{width:100%;height:auto;display:block;font-size:10px}
      .built{fill:#2da44e;background:#2da44e}.skipped{fill:#8c959f;background:#8c959f}
      .retagged{fill:#0969da;background:#0969da}
      .failed{fill:#cf222e;background:#cf222e}.retried{fill:#d4a72c;background:#d4a72c}
      .key{display:inline-block;width:12px;height:12px;margin:0 4px 0 12px;vertical-align:-1px}
      .axis line{stroke:#d8dee4;stroke-width:.5}.axis text{fill:#57606a;text-anchor:middle}
      .axis text.count,text.lane{text-anchor:end;fill:#57606a}text.tick{fill:#57606a}
      polyline{fill:none;stroke-width:1.5}.free{stroke:#0969da}.s1{stroke:#8250df}\
      .s2{stroke:#bf3989}.s3{stroke:#1a7f37}.s4{stroke:#9a6700}.s5{stroke:#57606a}
      .floor{stroke:#cf222e;stroke-dasharray:4 3}.prune{fill:#fff;stroke:#9a6700;stroke-width:2}
      pre{background:#f6f8fa;padding:8px;overflow:auto;max-height:420px;font-size:12px}
      code{font-size:12px}details{margin:4px 0}summary{cursor:pointer}
      .n{background:#eaeef2;border-radius:8px;padding:0 7px;font-weight:normal}
      .none,.note{color:#57606a}
      .moved{fill:#bf3989;background:#bf3989}.reused{fill:#2da44e;background:#2da44e}
      tr.worse td,span.worse{background:#ffebe9}tr.better td,span.better{background:#dafbe1}
      .phases td:first-child,.compare td:first-child,.grown td:first-child,\
      .bytes td:first-child{text-align:left}
      """
          + PhaseChart.css();

  private HtmlReport() {}

  static String render(List<Shard> shards) {
    return render(shards, Optional.empty());
  }

  static String render(List<Shard> shards, Optional<Comparison> comparison) {
    Totals totals =
        shards.stream().map(Totals::of).reduce(Totals::plus).orElse(Totals.of(emptyShard()));
    List<ImageRecord> records = shards.stream().flatMap(s -> s.records().stream()).toList();
    Timeline timeline = Timeline.of(shards);
    List<DiskChart.Point> disk = DiskChart.points(shards);
    long t0 = Math.min(timeline.bars.isEmpty() ? Long.MAX_VALUE : timeline.start(), first(disk));
    long t1 = Math.max(timeline.bars.isEmpty() ? Long.MIN_VALUE : timeline.end(), last(disk));
    StringBuilder html = new StringBuilder(records.size() * 260 + 16384);
    html.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
        .append("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none';")
        .append(" style-src 'unsafe-inline'\">\n")
        .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
        .append("<title>imagefleet build report</title>\n<style>\n")
        .append(CSS)
        .append("</style>\n</head>\n<body>\n");
    html.append(Counts.html(totals, shards));
    comparison.ifPresent(c -> html.append(c.html()));
    html.append(RegistryTable.html(shards));
    html.append(PlatformCoverage.html(records));
    html.append("<h2>Timeline</h2>\n<p class=\"legend\">One row per worker")
        .append(shards.size() > 1 ? " of each shard" : "")
        .append(", one bar per build attempt; hover a bar for the image.")
        .append("<span class=\"key built\"></span>built<span class=\"key skipped\"></span>skipped")
        .append("<span class=\"key retagged\"></span>retagged")
        .append("<span class=\"key failed\"></span>failed<span class=\"key retried\"></span>")
        .append("failed, then retried</p>\n");
    if (timeline.untimed > 0) {
      html.append("<p class=\"note\">")
          .append(timeline.untimed)
          .append(" image(s) have no start time in the manifest (written by an older imagefleet);")
          .append(" they are counted but not drawn.</p>\n");
    }
    if (!timeline.bars.isEmpty()) {
      html.append(timeline.svg(t0, t1));
    }
    html.append("<h2>Image durations</h2>\n").append(Histogram.svg(records));
    html.append(PhaseChart.html(shards));
    html.append(BlobBytes.of(records).html());
    html.append("<h2>Free disk</h2>\n<p class=\"legend\">Free space on the Docker data root;")
        .append(" dashed: the floor below which the build prunes, circles: prunes.</p>\n")
        .append(DiskChart.svg(disk, shards, t0 == Long.MAX_VALUE ? 0 : t0, t1));
    html.append("<h2>Failures <span class=\"n\">")
        .append(records.stream().filter(r -> r.is("failed")).count())
        .append("</span></h2>\n")
        .append(FailureGroups.html(shards));
    return html.append("</body>\n</html>\n").toString();
  }

  private static long first(List<DiskChart.Point> disk) {
    return disk.stream().mapToLong(DiskChart.Point::at).min().orElse(Long.MAX_VALUE);
  }

  private static long last(List<DiskChart.Point> disk) {
    return disk.stream().mapToLong(DiskChart.Point::at).max().orElse(Long.MIN_VALUE);
  }

  private static Shard emptyShard() {
    return new Shard(
        "", java.nio.file.Path.of("."), List.of(), List.of(), java.util.Optional.empty(), 0, false);
  }

  /** The head of the page: verdict, counts, builder and sdist, disk, and per shard when merged. */
  static final class Counts {
    private Counts() {}

    static String html(Totals t, List<Shard> shards) {
      StringBuilder html = new StringBuilder("<h1>imagefleet build");
      html.append(
              !t.stoppedEarly().isEmpty()
                  ? ": stopped early (" + Html.escape(String.join(", ", t.stoppedEarly())) + ")"
                  : t.failed() > 0 ? ": some images failed" : ": done")
          .append("</h1>\n");
      html.append(
          "<table class=\"counts\"><tr><th>planned</th><th>built</th><th>skipped</th>"
              + "<th>failed</th><th>not started</th><th>already done (resume)</th>"
              + "<th>images/h</th><th>wall time</th></tr>\n");
      html.append(
          String.format(
              Locale.ROOT,
              "<tr><td>%d</td><td>%d</td><td>%d</td><td>%d</td><td>%d</td><td>%d</td>"
                  + "<td>%.1f</td><td>%s</td></tr></table>\n",
              t.planned(),
              t.built(),
              t.skipped(),
              t.failed(),
              t.notStarted(),
              t.alreadyDone(),
              t.imagesPerHour(),
              Html.clock(t.seconds())));
      html.append("<p class=\"sdist\">").append(Html.escape(sdistLine(t))).append("</p>\n");
      if (t.withoutSummary() > 0) {
        html.append("<p class=\"note\">")
            .append(t.withoutSummary())
            .append(" output director")
            .append(t.withoutSummary() == 1 ? "y has" : "ies have")
            .append(" no summary.json (the build was killed?): counted from the manifest.</p>\n");
      }
      int unreadable = shards.stream().mapToInt(Shard::unreadableLines).sum();
      if (unreadable > 0) {
        html.append("<p class=\"note\">")
            .append(unreadable)
            .append(
                " line(s) of manifest.jsonl, disk.jsonl or summary.json could not be read.</p>\n");
      }
      if (shards.size() > 1) {
        html.append(shardTable(shards));
      }
      return html.toString();
    }

    private static String sdistLine(Totals t) {
      if (t.shards() == t.withoutSummary()) {
        return "Builder and sdist: not recorded (no summary.json).";
      }
      String builders = t.builders().isEmpty() ? "unknown" : String.join(", ", t.builders());
      String sdist =
          t.shards() == 1
              ? (t.sdistBuilt() == 1 ? "sdist built once this run" : "sdist reused from the cache")
              : "sdist built in " + t.sdistBuilt() + " of " + t.shards() + " shards";
      if (t.freeBefore().isEmpty() && t.freeAfter().isEmpty() && !t.diskNotMeasured().isEmpty()) {
        return "Builder: "
            + builders
            + "; "
            + sdist
            + ". Disk: "
            + String.join("; ", t.diskNotMeasured())
            + ".";
      }
      return "Builder: "
          + builders
          + "; "
          + sdist
          + ". Free disk on the Docker data root: "
          + t.freeBefore().map(Html::gib).orElse("not measured")
          + " before, "
          + t.freeAfter().map(Html::gib).orElse("not measured")
          + " after"
          + (t.shards() > 1 ? " (least of the shards)" : "")
          + ".";
    }

    private static String shardTable(List<Shard> shards) {
      StringBuilder html =
          new StringBuilder(
              "<table class=\"shards\"><tr><th>shard</th><th>built</th><th>skipped</th>"
                  + "<th>failed</th><th>not started</th><th>wall time</th></tr>\n");
      for (Shard shard : shards) {
        Totals t = Totals.of(shard);
        html.append("<tr><td>")
            .append(Html.escape(shard.name()))
            .append("</td><td>")
            .append(t.built())
            .append("</td><td>")
            .append(t.skipped())
            .append("</td><td>")
            .append(t.failed())
            .append("</td><td>")
            .append(t.notStarted())
            .append("</td><td>")
            .append(Html.clock(t.seconds()))
            .append("</td></tr>\n");
      }
      return html.append("</table>\n").toString();
    }
  }
}
