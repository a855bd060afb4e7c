package io.imagefleet.report;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/** Free disk on each shard's data root over time, its floor dashed, prunes marked. */
final class DiskChart {
  private static final double TOP = 22;
  private static final double PLOT_H = 160;

  /** A measurement with its time resolved. */
  record Point(int shard, long at, long free, Optional<Long> floor, Optional<Long> pruned) {}

  private DiskChart() {}

  static List<Point> points(List<Shard> shards) {
    List<Point> points = new ArrayList<>();
    for (int s = 0; s < shards.size(); s++) {
      for (DiskSample sample : shards.get(s).disk()) {
        Optional<Instant> at = ImageRecord.instant(sample.at());
        if (at.isPresent() && sample.freeBytes() != null) {
          points.add(
              new Point(
                  s,
                  at.get().toEpochMilli(),
                  sample.freeBytes(),
                  Optional.ofNullable(sample.floorBytes()),
                  Optional.ofNullable(sample.prunedBytes())));
        }
      }
    }
    points.sort(Comparator.comparingInt(Point::shard).thenComparingLong(Point::at));
    return points;
  }

  static String svg(List<Point> points, List<Shard> shards, long t0, long t1) {
    if (points.isEmpty()) {
      Optional<String> elsewhere =
          shards.stream()
              .flatMap(s -> s.summary().stream())
              .map(summary -> summary.path("diskNotMeasured").asText(""))
              .filter(note -> !note.isEmpty())
              .findFirst();
      if (elsewhere.isPresent()) {
        return "<p class=\"none\">No disk measurements (disk: "
            + Html.escape(elsewhere.get())
            + ").</p>\n";
      }
      return shards.stream().anyMatch(Shard::diskLogWritten)
          ? "<p class=\"none\">No disk measurements (disk.jsonl holds none: no free-disk check"
              + " ran).</p>\n"
          : "<p class=\"none\">No disk measurements (the build wrote no disk.jsonl).</p>\n";
    }
    long top =
        points.stream().mapToLong(p -> Math.max(p.free(), p.floor().orElse(0L))).max().orElse(1);
    double gibTop = Math.max(1, top / (double) (1L << 30) * 1.1);
    double height = TOP + PLOT_H + 20;
    StringBuilder svg =
        new StringBuilder("<svg class=\"disk\" viewBox=\"0 0 1000 ")
            .append(Html.num(height))
            .append("\" role=\"img\" aria-label=\"free disk over time\">\n");
    TimeAxis.append(svg, t0, t1, TOP - 6, TOP + PLOT_H);
    gibAxis(svg, gibTop);
    double scale = Timeline.PLOT / Math.max(1, t1 - t0);
    for (int s = 0; s < shards.size(); s++) {
      int shard = s;
      List<Point> mine = points.stream().filter(p -> p.shard() == shard).toList();
      if (mine.isEmpty()) {
        continue;
      }
      String label = shards.size() > 1 ? shards.get(s).name() + ": " : "";
      line(
          svg,
          "free s" + (s % 6),
          mine,
          p -> Optional.of(p.free()),
          t0,
          scale,
          gibTop,
          label + "free");
      line(svg, "floor", mine, Point::floor, t0, scale, gibTop, label + "floor");
      for (Point p : mine) {
        if (p.pruned().isPresent()) {
          svg.append("<circle class=\"prune\" cx=\"")
              .append(Html.num(x(p.at(), t0, scale)))
              .append("\" cy=\"")
              .append(Html.num(y(p.free(), gibTop)))
              .append("\" r=\"4\"><title>")
              .append(Html.escape(label + "pruned " + Html.gib(p.pruned().get())))
              .append(", then ")
              .append(Html.gib(p.free()))
              .append(" free</title></circle>\n");
        }
      }
    }
    return svg.append("</svg>\n").toString();
  }

  private static void line(
      StringBuilder svg,
      String kind,
      List<Point> points,
      java.util.function.Function<Point, Optional<Long>> value,
      long t0,
      double scale,
      double gibTop,
      String title) {
    StringBuilder coords = new StringBuilder();
    for (Point p : points) {
      value
          .apply(p)
          .ifPresent(
              v ->
                  coords
                      .append(Html.num(x(p.at(), t0, scale)))
                      .append(',')
                      .append(Html.num(y(v, gibTop)))
                      .append(' '));
    }
    if (coords.length() == 0) {
      return;
    }
    svg.append("<polyline class=\"")
        .append(kind)
        .append("\" points=\"")
        .append(coords.toString().strip())
        .append("\"><title>")
        .append(Html.escape(title))
        .append("</title></polyline>\n");
  }

  private static void gibAxis(StringBuilder svg, double gibTop) {
    double step = Html.niceStep(gibTop, 4);
    svg.append("<g class=\"axis\">\n");
    for (double g = 0; g <= gibTop; g += step) {
      double y = TOP + PLOT_H - g / gibTop * PLOT_H;
      svg.append("<line x1=\"")
          .append(Html.num(Timeline.LEFT))
          .append("\" x2=\"990\" y1=\"")
          .append(Html.num(y))
          .append("\" y2=\"")
          .append(Html.num(y))
          .append("\"/><text class=\"count\" x=\"")
          .append(Html.num(Timeline.LEFT - 6))
          .append("\" y=\"")
          .append(Html.num(y + 4))
          .append("\">")
          .append(Html.num(g))
          .append(" GiB</text>\n");
    }
    svg.append("</g>\n");
  }

  private static double x(long at, long t0, double scale) {
    return Timeline.LEFT + (at - t0) * scale;
  }

  private static double y(long bytes, double gibTop) {
    return TOP + PLOT_H - bytes / (double) (1L << 30) / gibTop * PLOT_H;
  }
}
