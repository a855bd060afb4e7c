package io.imagefleet.report;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One row per worker slot (per shard: shards never share a row) and one bar per build attempt:
 * green built, grey skipped, blue retagged, red failed, amber a failed attempt that was retried.
 * Each bar is one {@code <rect>} whose {@code <title>} is the hover text, so 5,000 images stay a
 * lean file.
 */
final class Timeline {
  static final double LEFT = 130;
  static final double WIDTH = 1000;
  static final double PLOT = WIDTH - LEFT - 10;
  private static final double ROW = 14;
  private static final double TOP = 22;

  /** One attempt drawn: its row, its span in epoch milliseconds, its colour and hover text. */
  record Bar(int row, long start, long end, String kind, String title) {}

  final List<String> rows;
  final List<Bar> bars;

  /** Images the manifest gives no start time for (written before imagefleet recorded times). */
  final int untimed;

  private Timeline(List<String> rows, List<Bar> bars, int untimed) {
    this.rows = rows;
    this.bars = bars;
    this.untimed = untimed;
  }

  static Timeline of(List<Shard> shards) {
    Map<String, Integer> rowIndex = new LinkedHashMap<>();
    List<Bar> bars = new ArrayList<>();
    int untimed = 0;
    for (int s = 0; s < shards.size(); s++) {
      Shard shard = shards.get(s);
      String prefix = shards.size() > 1 ? shard.name() + " · " : "";
      List<Bar> unplaced = new ArrayList<>();
      int maxLane = -1;
      for (ImageRecord record : shard.records()) {
        List<Bar> drawn = bars(record);
        if (drawn.isEmpty()) {
          untimed++;
        } else if (record.lane() == null || record.lane() < 0) {
          unplaced.addAll(drawn);
        } else {
          maxLane = Math.max(maxLane, record.lane());
          String row = prefix + "worker " + record.lane();
          drawn.forEach(b -> bars.add(withRow(b, row, rowIndex)));
        }
      }
      pack(unplaced, prefix, maxLane + 1, rowIndex, bars);
    }
    List<String> rows = sortedRows(rowIndex, bars);
    return new Timeline(rows, renumber(bars, rowIndex, rows), untimed);
  }

  /** The bars of one image: one per run, or one for the whole image when it has no runs. */
  static List<Bar> bars(ImageRecord record) {
    List<Bar> bars = new ArrayList<>();
    List<ImageRecord.Run> runs = record.runs();
    for (int i = 0; i < runs.size(); i++) {
      ImageRecord.Run run = runs.get(i);
      Optional<Instant> start = ImageRecord.instant(run.started());
      if (start.isEmpty()) {
        continue;
      }
      boolean last = i == runs.size() - 1;
      String kind = last ? kind(record.status()) : "retried";
      String error = run.error() != null ? run.error() : last ? record.error() : null;
      String attempt = runs.size() > 1 ? " · attempt " + (i + 1) + " of " + runs.size() : "";
      long from = start.get().toEpochMilli();
      bars.add(
          new Bar(
              -1,
              from,
              from + Math.round(run.seconds() * 1000),
              kind,
              title(record, run.seconds(), kind + attempt, error)));
    }
    Optional<Instant> started = ImageRecord.instant(record.started());
    if (bars.isEmpty() && started.isPresent()) {
      long from = started.get().toEpochMilli();
      long to =
          ImageRecord.instant(record.ended())
              .map(Instant::toEpochMilli)
              .orElse(from + Math.round(record.seconds() * 1000));
      String kind = kind(record.status());
      bars.add(new Bar(-1, from, to, kind, title(record, record.seconds(), kind, record.error())));
    }
    return bars;
  }

  private static String kind(String status) {
    return switch (status) {
      case "built", "skipped", "retagged", "failed" -> status;
      default -> "failed";
    };
  }

  private static String title(ImageRecord record, double seconds, String what, String error) {
    StringBuilder title = new StringBuilder(Html.cut(record.instance(), 200));
    record.tag().ifPresent(t -> title.append(" · ").append(Html.cut(t, 200)));
    title.append(" · ").append(Html.seconds(seconds)).append(" · ").append(what);
    if (error != null && !error.isBlank()) {
      title.append(" · ").append(Html.cut(error.strip(), 300));
    }
    return title.toString();
  }

  private static Bar withRow(Bar bar, String row, Map<String, Integer> rowIndex) {
    int index = rowIndex.computeIfAbsent(row, r -> rowIndex.size());
    return new Bar(index, bar.start(), bar.end(), bar.kind(), bar.title());
  }

  /** Bars without a recorded lane go to the first extra row that is free when they start. */
  private static void pack(
      List<Bar> unplaced,
      String prefix,
      int firstLane,
      Map<String, Integer> rowIndex,
      List<Bar> out) {
    unplaced.sort(Comparator.comparingLong(Bar::start));
    List<Long> freeAt = new ArrayList<>();
    for (Bar bar : unplaced) {
      int slot = 0;
      while (slot < freeAt.size() && freeAt.get(slot) > bar.start()) {
        slot++;
      }
      if (slot == freeAt.size()) {
        freeAt.add(bar.end());
      } else {
        freeAt.set(slot, bar.end());
      }
      out.add(withRow(bar, prefix + "slot " + (firstLane + slot), rowIndex));
    }
  }

  /** Rows in shard order, then by worker number (worker 10 after worker 9). */
  private static List<String> sortedRows(Map<String, Integer> rowIndex, List<Bar> bars) {
    return rowIndex.keySet().stream()
        .sorted(
            Comparator.comparing(
                    (String r) -> r.contains(" · ") ? r.substring(0, r.lastIndexOf(" · ")) : "")
                .thenComparing(r -> r.replaceAll("\\d+$", ""))
                .thenComparingInt(r -> Integer.parseInt(r.replaceAll("^.*?(\\d+)$", "$1"))))
        .toList();
  }

  private static List<Bar> renumber(
      List<Bar> bars, Map<String, Integer> rowIndex, List<String> rows) {
    int[] position = new int[rowIndex.size()];
    for (int i = 0; i < rows.size(); i++) {
      position[rowIndex.get(rows.get(i))] = i;
    }
    return bars.stream()
        .map(b -> new Bar(position[b.row()], b.start(), b.end(), b.kind(), b.title()))
        .sorted(Comparator.comparingInt(Bar::row).thenComparingLong(Bar::start))
        .toList();
  }

  long start() {
    return bars.stream().mapToLong(Bar::start).min().orElse(0);
  }

  long end() {
    return bars.stream().mapToLong(Bar::end).max().orElse(0);
  }

  /** The SVG over {@code [t0, t1]} (epoch ms), shared with the disk chart so the two line up. */
  String svg(long t0, long t1) {
    double height = TOP + rows.size() * ROW + 4;
    StringBuilder svg = new StringBuilder(bars.size() * 220 + 4096);
    svg.append("<svg class=\"timeline\" viewBox=\"0 0 1000 ")
        .append(Html.num(height))
        .append("\" role=\"img\" aria-label=\"timeline of build attempts per worker\">\n");
    TimeAxis.append(svg, t0, t1, TOP - 6, height - 4);
    for (int i = 0; i < rows.size(); i++) {
      double y = TOP + i * ROW;
      svg.append("<text class=\"lane\" x=\"")
          .append(Html.num(LEFT - 6))
          .append("\" y=\"")
          .append(Html.num(y + 10))
          .append("\">")
          .append(Html.escape(Html.cut(rows.get(i), 40)))
          .append("</text>\n");
    }
    svg.append("<g class=\"bars\">\n");
    double scale = PLOT / Math.max(1, t1 - t0);
    for (Bar bar : bars) {
      double x = LEFT + (bar.start() - t0) * scale;
      double w = Math.max(0.5, (bar.end() - bar.start()) * scale);
      svg.append("<rect class=\"")
          .append(bar.kind())
          .append("\" x=\"")
          .append(Html.num(x))
          .append("\" y=\"")
          .append(Html.num(TOP + bar.row() * ROW + 1))
          .append("\" width=\"")
          .append(Html.num(w))
          .append("\" height=\"11\"><title>")
          .append(Html.escape(bar.title()))
          .append("</title></rect>\n");
    }
    return svg.append("</g>\n</svg>\n").toString();
  }
}
