package io.imagefleet.preflight;

import io.imagefleet.actions.Markdown;
import io.imagefleet.docker.Units;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One bar per filesystem for the step summary: used (█), reclaimed by pruning (▒) and free before
 * it (░), in 40 cells of the filesystem's size. Plain characters: every Markdown renderer shows it.
 */
final class DiskBars {
  static final int CELLS = 40;

  private DiskBars() {}

  static String markdown(List<Measurement> before, List<Measurement> after) {
    Map<String, String[]> rows = new LinkedHashMap<>();
    for (int i = 0; i < before.size(); i++) {
      Optional<DiskSpace> b = before.get(i).space();
      Optional<DiskSpace> a = i < after.size() ? after.get(i).space() : Optional.empty();
      if (b.isEmpty()) {
        continue;
      }
      String label = Markdown.text(before.get(i).label());
      String[] row = rows.get(b.get().filesystem());
      if (row != null) {
        row[0] += ", " + label;
      } else {
        rows.put(b.get().filesystem(), new String[] {label, bar(b.get(), a)});
      }
    }
    if (rows.isEmpty()) {
      return "";
    }
    StringBuilder md =
        new StringBuilder(
            "| filesystem | █ used, ▒ reclaimed, ░ free before pruning |\n|---|---|\n");
    rows.forEach(
        (fs, row) ->
            md.append("| ")
                .append(row[0])
                .append(" (")
                .append(Markdown.text(fs))
                .append(") | ")
                .append(row[1])
                .append(" |\n"));
    return md.append('\n').toString();
  }

  static String bar(DiskSpace before, Optional<DiskSpace> after) {
    long total = Math.max(1, before.totalBytes());
    long freeAfter = after.map(DiskSpace::freeBytes).orElse(before.freeBytes());
    long reclaimed = Math.max(0, freeAfter - before.freeBytes());
    long used = Math.max(0, total - freeAfter);
    int usedCells = cells(used, total);
    int reclaimedCells = Math.min(CELLS - usedCells, cells(reclaimed, total));
    int freeCells = CELLS - usedCells - reclaimedCells;
    return "`"
        + "█".repeat(usedCells)
        + "▒".repeat(reclaimedCells)
        + "░".repeat(freeCells)
        + "` "
        + Units.gib(used)
        + " used, "
        + Units.gib(reclaimed)
        + " reclaimed, "
        + Units.gib(freeAfter)
        + " free of "
        + Units.gib(total);
  }

  private static int cells(long bytes, long total) {
    return (int) Math.min(CELLS, Math.round(bytes * (double) CELLS / total));
  }
}
