package io.imagefleet.report;

import io.imagefleet.ImageMeter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * This run against a previous one: images/h, p50 and p90 image seconds, each phase's total and
 * median, blob bytes and failures, with changes beyond {@value #NOTABLE_PERCENT}% marked, and the
 * images whose time grew most.
 */
final class Comparison {
  static final double NOTABLE_PERCENT = 15;
  static final int GREW = 10;

  private final Figures before;
  private final Figures now;
  private final String previousName;

  private Comparison(Figures before, Figures now, String previousName) {
    this.before = before;
    this.now = now;
    this.previousName = previousName;
  }

  static Comparison of(List<Shard> previous, List<Shard> current, String previousName) {
    return new Comparison(Figures.of(previous), Figures.of(current), previousName);
  }

  /** What one run's records and summaries come to. */
  record Figures(
      double imagesPerHour,
      int built,
      int failed,
      double p50,
      double p90,
      Map<String, Double> phaseTotals,
      Map<String, Double> phaseMedians,
      Optional<BlobBytes> bytes,
      Map<String, ImageRecord> byInstance) {

    static Figures of(List<Shard> shards) {
      List<ImageRecord> records = shards.stream().flatMap(s -> s.records().stream()).toList();
      Totals totals = shards.stream().map(Totals::of).reduce(Totals::plus).orElseThrow();
      List<ImageRecord> built = records.stream().filter(r -> r.is("built")).toList();
      List<Double> seconds = built.stream().map(ImageRecord::seconds).toList();
      double perHour = totals.seconds() > 0 ? totals.imagesPerHour() : fromSpan(records, built);
      Map<String, Double> medians = new LinkedHashMap<>();
      List<ImageRecord> timed = built.stream().filter(r -> !r.phaseSeconds().isEmpty()).toList();
      Map<String, Double> phaseTotals = PhaseChart.totals(timed);
      phaseTotals
          .keySet()
          .forEach(
              p ->
                  medians.put(
                      p, Stats.percentile(timed.stream().map(r -> r.phase(p)).toList(), 50)));
      BlobBytes bytes = BlobBytes.of(records);
      Map<String, ImageRecord> byInstance = new LinkedHashMap<>();
      records.forEach(r -> byInstance.put(r.instance(), r));
      return new Figures(
          perHour,
          built.size(),
          (int) records.stream().filter(r -> r.is("failed")).count(),
          Stats.percentile(seconds, 50),
          Stats.percentile(seconds, 90),
          phaseTotals,
          medians,
          bytes.images() == 0 ? Optional.empty() : Optional.of(bytes),
          byInstance);
    }

    /** Without summary.json (a killed run): built images over the manifest's first to last time. */
    private static double fromSpan(List<ImageRecord> records, List<ImageRecord> built) {
      long first = Long.MAX_VALUE;
      long last = Long.MIN_VALUE;
      for (ImageRecord r : records) {
        Optional<Instant> start = ImageRecord.instant(r.started());
        Optional<Instant> end = ImageRecord.instant(r.ended());
        if (start.isPresent() && end.isPresent()) {
          first = Math.min(first, start.get().toEpochMilli());
          last = Math.max(last, end.get().toEpochMilli());
        }
      }
      return last <= first ? 0 : built.size() * 3_600_000.0 / (last - first);
    }
  }

  /** A compared figure: lower is better unless {@code higherBetter}. */
  record Row(String name, double before, double now, String unit, boolean higherBetter) {
    /** The change in percent of the previous figure; empty when that was 0. */
    Optional<Double> percent() {
      return before == 0 ? Optional.empty() : Optional.of(100 * (now - before) / before);
    }

    boolean notable() {
      return percent().map(p -> Math.abs(p) > NOTABLE_PERCENT).orElse(now != 0);
    }

    boolean worse() {
      return higherBetter ? now < before : now > before;
    }
  }

  List<Row> rows() {
    List<Row> rows = new ArrayList<>();
    rows.add(new Row("images/h", before.imagesPerHour(), now.imagesPerHour(), "", true));
    rows.add(new Row("built", before.built(), now.built(), "", true));
    rows.add(new Row("failed", before.failed(), now.failed(), "", false));
    rows.add(new Row("p50 image seconds", before.p50(), now.p50(), " s", false));
    rows.add(new Row("p90 image seconds", before.p90(), now.p90(), " s", false));
    Set<String> phases = new LinkedHashSet<>(before.phaseTotals().keySet());
    phases.addAll(now.phaseTotals().keySet());
    for (String p : ordered(phases)) {
      rows.add(
          new Row(
              PhaseChart.label(p) + ": total",
              before.phaseTotals().getOrDefault(p, 0.0),
              now.phaseTotals().getOrDefault(p, 0.0),
              " s",
              false));
      rows.add(
          new Row(
              PhaseChart.label(p) + ": p50 per image",
              before.phaseMedians().getOrDefault(p, 0.0),
              now.phaseMedians().getOrDefault(p, 0.0),
              " s",
              false));
    }
    if (before.bytes().isPresent() || now.bytes().isPresent()) {
      rows.add(
          new Row(
              "bytes moved",
              before.bytes().map(BlobBytes::moved).orElse(0L),
              now.bytes().map(BlobBytes::moved).orElse(0L),
              " B",
              false));
      rows.add(
          new Row(
              "bytes reused",
              before.bytes().map(BlobBytes::reused).orElse(0L),
              now.bytes().map(BlobBytes::reused).orElse(0L),
              " B",
              true));
    }
    return rows;
  }

  /** Phase ids in the order the meter defines, unknown ones last. */
  private static List<String> ordered(Set<String> phases) {
    List<String> out = new ArrayList<>();
    for (ImageMeter.Phase p : ImageMeter.Phase.values()) {
      if (phases.contains(p.id())) {
        out.add(p.id());
      }
    }
    phases.stream().filter(p -> !out.contains(p)).forEach(out::add);
    return out;
  }

  /** An image built in both runs whose seconds grew, with the phase that grew most. */
  record Grown(String instance, double before, double now, String phase, double phaseDelta) {}

  List<Grown> grown() {
    List<Grown> grown = new ArrayList<>();
    now.byInstance()
        .forEach(
            (id, r) -> {
              ImageRecord old = before.byInstance().get(id);
              if (old == null || !old.is("built") || !r.is("built")) {
                return;
              }
              double delta = r.seconds() - old.seconds();
              if (delta <= 0) {
                return;
              }
              String phase = "";
              double most = 0;
              Set<String> phases = new LinkedHashSet<>(r.phaseSeconds().keySet());
              phases.addAll(old.phaseSeconds().keySet());
              for (String p : phases) {
                double d = r.phase(p) - old.phase(p);
                if (d > most) {
                  most = d;
                  phase = p;
                }
              }
              grown.add(new Grown(id, old.seconds(), r.seconds(), phase, most));
            });
    grown.sort(
        Comparator.comparingDouble((Grown g) -> g.now() - g.before())
            .reversed()
            .thenComparing(Grown::instance));
    return grown.subList(0, Math.min(GREW, grown.size()));
  }

  /**
   * summary.md's line: {@code images/h 9,870 vs 12,410 in the previous run (−20%): push +38 s p50}
   * (the phase whose median grew most, when one grew).
   */
  String markdownLine() {
    StringBuilder line =
        new StringBuilder("\nCompared with the previous run: images/h ")
            .append(count(now.imagesPerHour()))
            .append(" vs ")
            .append(count(before.imagesPerHour()))
            .append(" in the previous run");
    Row perHour = rows().get(0);
    perHour.percent().ifPresent(p -> line.append(" (").append(percent(p)).append(")"));
    String phase = "";
    double most = 0;
    for (Map.Entry<String, Double> e : now.phaseMedians().entrySet()) {
      double d = e.getValue() - before.phaseMedians().getOrDefault(e.getKey(), 0.0);
      if (d > most) {
        most = d;
        phase = e.getKey();
      }
    }
    if (most >= 0.05) {
      line.append(": ")
          .append(PhaseChart.label(phase))
          .append(" +")
          .append(seconds(most))
          .append(" p50");
    }
    return line.append(".\n").toString();
  }

  /** The report's section. */
  String html() {
    StringBuilder html =
        new StringBuilder("<h2>Compared with the previous run <span class=\"n\">")
            .append(Html.escape(previousName))
            .append("</span></h2>\n<p class=\"legend\">Changes beyond ±")
            .append(Html.num(NOTABLE_PERCENT))
            .append("% are marked: <span class=\"worse\">worse</span>,")
            .append(" <span class=\"better\">better</span>.</p>\n")
            .append(
                "<table class=\"compare\"><tr><th>figure</th><th>previous run</th>"
                    + "<th>this run</th><th>change</th></tr>\n");
    for (Row row : rows()) {
      String mark = row.notable() ? (row.worse() ? " class=\"worse\"" : " class=\"better\"") : "";
      html.append("<tr")
          .append(mark)
          .append("><td>")
          .append(Html.escape(row.name()))
          .append("</td><td>")
          .append(figure(row.before(), row.unit()))
          .append("</td><td>")
          .append(figure(row.now(), row.unit()))
          .append("</td><td>")
          .append(row.percent().map(Comparison::percent).orElse(row.now() == 0 ? "" : "new"))
          .append("</td></tr>\n");
    }
    html.append("</table>\n");
    List<Grown> grown = grown();
    html.append("<h3>The images whose time grew most</h3>\n");
    if (grown.isEmpty()) {
      return html.append("<p class=\"none\">No image built in both runs took longer.</p>\n")
          .toString();
    }
    html.append(
        "<table class=\"grown\"><tr><th>image</th><th>previous run</th><th>this run</th>"
            + "<th>grew</th><th>most in</th></tr>\n");
    for (Grown g : grown) {
      html.append("<tr><td>")
          .append(Html.escape(Html.cut(g.instance(), 80)))
          .append("</td><td>")
          .append(Html.seconds(g.before()))
          .append("</td><td>")
          .append(Html.seconds(g.now()))
          .append("</td><td>+")
          .append(Html.seconds(g.now() - g.before()))
          .append("</td><td>")
          .append(
              g.phase().isEmpty()
                  ? ""
                  : Html.escape(PhaseChart.label(g.phase())) + " +" + Html.seconds(g.phaseDelta()))
          .append("</td></tr>\n");
    }
    return html.append("</table>\n").toString();
  }

  private static String figure(double value, String unit) {
    if (unit.equals(" B")) {
      return BlobBytes.human((long) value);
    }
    if (unit.equals(" s")) {
      return Html.seconds(value);
    }
    return count(value);
  }

  /** 9,870 for large figures, one decimal for small ones. */
  static String count(double value) {
    return Math.abs(value) >= 100 || value == Math.rint(value)
        ? String.format(Locale.ROOT, "%,.0f", value)
        : String.format(Locale.ROOT, "%.1f", value);
  }

  /** +12%, −20% (a minus sign, not a hyphen). */
  static String percent(double p) {
    long rounded = Math.round(p);
    return (rounded > 0 ? "+" : rounded < 0 ? "\u2212" : "±") + Math.abs(rounded) + "%";
  }

  private static String seconds(double s) {
    return s >= 10
        ? String.format(Locale.ROOT, "%.0f s", s)
        : String.format(Locale.ROOT, "%.1f s", s);
  }
}
