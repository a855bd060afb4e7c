package io.imagefleet.report;

/** Vertical grid lines with elapsed-time labels over the plot area both time charts share. */
final class TimeAxis {
  private static final long[] STEPS = {
    1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400
  };

  private TimeAxis() {}

  /** Lines from {@code top} to {@code bottom}; labels just above {@code top}. */
  static void append(StringBuilder svg, long t0, long t1, double top, double bottom) {
    double span = Math.max(1, (t1 - t0) / 1000.0);
    long step = STEPS[STEPS.length - 1];
    for (long candidate : STEPS) {
      if (span / candidate <= 10) {
        step = candidate;
        break;
      }
    }
    svg.append("<g class=\"axis\">\n");
    for (long s = 0; s <= span; s += step) {
      double x = Timeline.LEFT + s / span * Timeline.PLOT;
      svg.append("<line x1=\"")
          .append(Html.num(x))
          .append("\" x2=\"")
          .append(Html.num(x))
          .append("\" y1=\"")
          .append(Html.num(top))
          .append("\" y2=\"")
          .append(Html.num(bottom))
          .append("\"/><text x=\"")
          .append(Html.num(x))
          .append("\" y=\"")
          .append(Html.num(top - 3))
          .append("\">")
          .append(Html.clock(s))
          .append("</text>\n");
    }
    svg.append("</g>\n");
  }
}
