package io.imagefleet.report;

import io.imagefleet.ImageMeter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Where the time went: the run's image seconds by phase (one stacked bar and a table), and one
 * stacked bar per image, longest first: the {@value #TOP} longest, then one bar for the mean of the
 * rest. Phases come from the manifest's {@code phases}; older manifests have none.
 */
final class PhaseChart {
  static final int TOP = 50;
  private static final double LABEL_W = 250;
  private static final double BAR_W = 680;
  private static final double ROW = 16;

  private PhaseChart() {}

  /** The section, or a note when no record has phases. */
  static String html(List<Shard> shards) {
    List<ImageRecord> timed =
        shards.stream()
            .flatMap(s -> s.records().stream())
            .filter(r -> !r.phaseSeconds().isEmpty())
            .toList();
    StringBuilder html = new StringBuilder("<h2>Where the time went</h2>\n");
    if (timed.isEmpty()) {
      return html.append(
              "<p class=\"none\">No phase times in the manifest (written by an older"
                  + " imagefleet).</p>\n")
          .toString();
    }
    Map<String, Double> totals = totals(timed);
    double all = totals.values().stream().mapToDouble(Double::doubleValue).sum();
    html.append("<p class=\"legend\">The seconds of ")
        .append(timed.size())
        .append(" image(s) by phase; they add up to each image's seconds.")
        .append(legend(totals.keySet()))
        .append("</p>\n");
    html.append(runBar(totals, all));
    html.append(table(totals, all, timed));
    double diskWait = diskWait(shards);
    if (diskWait > 0) {
      html.append("<p class=\"note\">Besides: the dispatcher held images back for disk for ")
          .append(Html.seconds(diskWait))
          .append(" (no image's time: the next one had not started).</p>\n");
    }
    html.append("<h3>Per image, longest first</h3>\n").append(imageBars(timed));
    return html.toString();
  }

  /** Seconds per phase id over the records, in {@link ImageMeter.Phase} order, unknown ids last. */
  static Map<String, Double> totals(List<ImageRecord> records) {
    Map<String, Double> sums = new LinkedHashMap<>();
    for (ImageMeter.Phase p : ImageMeter.Phase.values()) {
      sums.put(p.id(), 0.0);
    }
    for (ImageRecord r : records) {
      r.phaseSeconds().forEach((phase, s) -> sums.merge(phase, s, Double::sum));
    }
    sums.values().removeIf(s -> s <= 0);
    return sums;
  }

  /** The summary.json figure of each shard: time no image was charged for. */
  static double diskWait(List<Shard> shards) {
    return shards.stream()
        .mapToDouble(s -> s.summary().map(j -> j.path("diskWaitSeconds").asDouble(0)).orElse(0.0))
        .filter(Double::isFinite)
        .sum();
  }

  static String label(String phase) {
    return ImageMeter.Phase.byId(phase).map(ImageMeter.Phase::label).orElse(phase);
  }

  /** The CSS class of a phase: its id when imagefleet knows it, else one for all unknown ones. */
  static String css(String phase) {
    return ImageMeter.Phase.byId(phase).map(p -> "ph-" + p.id()).orElse("ph-unknown");
  }

  private static String legend(Iterable<String> phases) {
    StringBuilder html = new StringBuilder();
    for (String phase : phases) {
      html.append("<span class=\"key ")
          .append(css(phase))
          .append("\"></span>")
          .append(Html.escape(label(phase)));
    }
    return html.toString();
  }

  private static String runBar(Map<String, Double> totals, double all) {
    StringBuilder svg =
        new StringBuilder(
            "<svg class=\"phases run\" viewBox=\"0 0 1000 28\" role=\"img\""
                + " aria-label=\"the run's image seconds by phase\">\n");
    double x = 0;
    for (Map.Entry<String, Double> e : totals.entrySet()) {
      double w = 1000 * e.getValue() / all;
      String title =
          String.format(
              Locale.ROOT,
              "%s: %.1f s (%.0f%%)",
              label(e.getKey()),
              e.getValue(),
              100 * e.getValue() / all);
      rect(svg, css(e.getKey()), x, 2, w, 24, title);
      x += w;
    }
    return svg.append("</svg>\n").toString();
  }

  private static String table(Map<String, Double> totals, double all, List<ImageRecord> timed) {
    StringBuilder html =
        new StringBuilder(
            "<table class=\"phases\"><tr><th>phase</th><th>seconds</th><th>share</th>"
                + "<th>median per image</th><th>images</th></tr>\n");
    totals.forEach(
        (phase, seconds) -> {
          List<Double> per =
              timed.stream()
                  .filter(r -> r.phaseSeconds().containsKey(phase))
                  .map(r -> r.phase(phase))
                  .toList();
          html.append("<tr><td><span class=\"key ")
              .append(css(phase))
              .append("\"></span>")
              .append(Html.escape(label(phase)))
              .append(
                  String.format(
                      Locale.ROOT,
                      "</td><td>%.1f</td><td>%.0f%%</td><td>%.1f s</td><td>%d</td></tr>\n",
                      seconds,
                      100 * seconds / all,
                      Stats.percentile(per, 50),
                      per.size()));
        });
    return html.append("</table>\n").toString();
  }

  private static String imageBars(List<ImageRecord> timed) {
    List<ImageRecord> longest =
        timed.stream()
            .sorted(
                Comparator.comparingDouble(ImageRecord::seconds)
                    .reversed()
                    .thenComparing(ImageRecord::instance))
            .toList();
    List<Row> rows = new ArrayList<>();
    for (ImageRecord r : longest.subList(0, Math.min(TOP, longest.size()))) {
      rows.add(new Row(r.instance() + " (" + r.status() + ")", r.phaseSeconds(), r.seconds()));
    }
    List<ImageRecord> rest = longest.subList(Math.min(TOP, longest.size()), longest.size());
    if (!rest.isEmpty()) {
      Map<String, Double> mean = new LinkedHashMap<>();
      totals(rest).forEach((phase, s) -> mean.put(phase, s / rest.size()));
      double seconds = rest.stream().mapToDouble(ImageRecord::seconds).sum() / rest.size();
      rows.add(new Row("others: mean of " + rest.size() + " images", mean, seconds));
    }
    double max = rows.stream().mapToDouble(Row::seconds).max().orElse(1);
    double scale = BAR_W / Math.max(max, 1e-9);
    double height = rows.size() * ROW + 4;
    StringBuilder svg =
        new StringBuilder("<svg class=\"phases images\" viewBox=\"0 0 1000 ")
            .append(Html.num(height))
            .append("\" role=\"img\" aria-label=\"phases per image\">\n");
    for (int i = 0; i < rows.size(); i++) {
      Row row = rows.get(i);
      double y = 2 + i * ROW;
      svg.append("<text class=\"lane\" x=\"")
          .append(Html.num(LABEL_W - 6))
          .append("\" y=\"")
          .append(Html.num(y + 11))
          .append("\">")
          .append(Html.escape(Html.cut(row.label(), 42)))
          .append("</text>\n");
      double x = LABEL_W;
      for (Map.Entry<String, Double> e : row.phases().entrySet()) {
        double w = e.getValue() * scale;
        rect(
            svg,
            css(e.getKey()),
            x,
            y,
            w,
            ROW - 3,
            row.label() + ": " + label(e.getKey()) + " " + Html.seconds(e.getValue()));
        x += w;
      }
      svg.append("<text class=\"tick\" x=\"")
          .append(Html.num(x + 4))
          .append("\" y=\"")
          .append(Html.num(y + 11))
          .append("\">")
          .append(Html.seconds(row.seconds()))
          .append("</text>\n");
    }
    return svg.append("</svg>\n").toString();
  }

  private record Row(String label, Map<String, Double> phases, double seconds) {}

  private static void rect(
      StringBuilder svg, String kind, double x, double y, double w, double h, String title) {
    if (w <= 0) {
      return;
    }
    svg.append("<rect class=\"")
        .append(kind)
        .append("\" x=\"")
        .append(Html.num(x))
        .append("\" y=\"")
        .append(Html.num(y))
        .append("\" width=\"")
        .append(Html.num(Math.max(0.3, w)))
        .append("\" height=\"")
        .append(Html.num(h))
        .append("\"><title>")
        .append(Html.escape(title))
        .append("</title></rect>\n");
  }

  /** CSS for the phases: one colour each, as fill (SVG) and background (legend keys). */
  static String css() {
    StringBuilder css = new StringBuilder();
    String[] colours = {
      "#8c959f", "#bf8700", "#8250df", "#0969da", "#2da44e", "#bf3989", "#1b7c83", "#4d2d00",
      "#54aeff", "#cf222e", "#fb8f44", "#d0d7de"
    };
    ImageMeter.Phase[] phases = ImageMeter.Phase.values();
    for (int i = 0; i < phases.length; i++) {
      String c = colours[i % colours.length];
      css.append(".ph-")
          .append(phases[i].id())
          .append("{fill:")
          .append(c)
          .append(";background:")
          .append(c)
          .append("}");
    }
    return css.append(".ph-unknown{fill:#eaeef2;background:#eaeef2}\n").toString();
  }
}
