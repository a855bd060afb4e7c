package io.imagefleet.report;

import java.util.List;

/** How long images took: built and failed images stacked per duration bin. */
final class Histogram {
  private static final double LEFT = 50;
  private static final double PLOT_W = 930;
  private static final double TOP = 10;
  private static final double PLOT_H = 160;

  private Histogram() {}

  static String svg(List<ImageRecord> records) {
    double max =
        records.stream()
            .filter(r -> r.is("built") || r.is("failed"))
            .mapToDouble(ImageRecord::seconds)
            .max()
            .orElse(-1);
    if (max < 0) {
      return "<p class=\"none\">No image was built or failed.</p>\n";
    }
    double step = Html.niceStep(max, 20);
    int bins = (int) Math.floor(max / step) + 1;
    int[] built = new int[bins];
    int[] failed = new int[bins];
    for (ImageRecord r : records) {
      if (r.is("built") || r.is("failed")) {
        int bin = Math.min(bins - 1, (int) Math.floor(Math.max(0, r.seconds()) / step));
        (r.is("built") ? built : failed)[bin]++;
      }
    }
    int highest = 1;
    for (int i = 0; i < bins; i++) {
      highest = Math.max(highest, built[i] + failed[i]);
    }
    StringBuilder svg =
        new StringBuilder(
            "<svg class=\"histogram\" viewBox=\"0 0 1000 200\" role=\"img\""
                + " aria-label=\"histogram of image durations\">\n");
    countAxis(svg, highest);
    double w = PLOT_W / bins;
    for (int i = 0; i < bins; i++) {
      String range = Html.num(i * step) + "–" + Html.num((i + 1) * step) + " s";
      double x = LEFT + i * w;
      double hb = built[i] * PLOT_H / highest;
      double hf = failed[i] * PLOT_H / highest;
      String title = range + ": " + built[i] + " built, " + failed[i] + " failed";
      column(svg, "built", x, w, TOP + PLOT_H - hb, hb, title);
      column(svg, "failed", x, w, TOP + PLOT_H - hb - hf, hf, title);
      if (bins <= 12 || i % Math.max(1, bins / 10) == 0) {
        svg.append("<text class=\"tick\" x=\"")
            .append(Html.num(x))
            .append("\" y=\"")
            .append(Html.num(TOP + PLOT_H + 14))
            .append("\">")
            .append(Html.num(i * step))
            .append(" s</text>\n");
      }
    }
    return svg.append("</svg>\n").toString();
  }

  private static void column(
      StringBuilder svg, String kind, double x, double w, double y, double h, String title) {
    if (h <= 0) {
      return;
    }
    svg.append("<rect class=\"")
        .append(kind)
        .append("\" x=\"")
        .append(Html.num(x + 1))
        .append("\" y=\"")
        .append(Html.num(y))
        .append("\" width=\"")
        .append(Html.num(Math.max(0.5, w - 2)))
        .append("\" height=\"")
        .append(Html.num(h))
        .append("\"><title>")
        .append(Html.escape(title))
        .append("</title></rect>\n");
  }

  private static void countAxis(StringBuilder svg, int highest) {
    double step = Math.max(1, Html.niceStep(highest, 4));
    svg.append("<g class=\"axis\">\n");
    for (double c = 0; c <= highest; c += step) {
      double y = TOP + PLOT_H - c * PLOT_H / highest;
      svg.append("<line x1=\"")
          .append(Html.num(LEFT))
          .append("\" x2=\"")
          .append(Html.num(LEFT + PLOT_W))
          .append("\" y1=\"")
          .append(Html.num(y))
          .append("\" y2=\"")
          .append(Html.num(y))
          .append("\"/><text class=\"count\" x=\"")
          .append(Html.num(LEFT - 6))
          .append("\" y=\"")
          .append(Html.num(y + 4))
          .append("\">")
          .append((long) c)
          .append("</text>\n");
    }
    svg.append("</g>\n");
  }
}
