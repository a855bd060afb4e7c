package io.imagefleet.fleet;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * disk.jsonl: one line per measurement of the data root ({@code at}, {@code free_bytes}, {@code
 * floor_bytes}, and {@code pruned_bytes} after a prune), forced to disk like the manifest.
 */
final class DiskLog implements AutoCloseable {
  private final DurableLines lines;

  private DiskLog(DurableLines lines) {
    this.lines = lines;
  }

  /** Opens for appending; without {@code keep} an earlier log is replaced. */
  static DiskLog open(Path file, boolean keep) {
    return new DiskLog(DurableLines.open(file, keep, file.toString()));
  }

  /** One measurement; {@code prunedBytes} below zero means no prune came before it. */
  void sample(String at, long freeBytes, long floorBytes, long prunedBytes) {
    Map<String, Object> line = new LinkedHashMap<>();
    line.put("at", at);
    line.put("free_bytes", freeBytes);
    line.put("floor_bytes", floorBytes);
    if (prunedBytes >= 0) {
      line.put("pruned_bytes", prunedBytes);
    }
    lines.append(line);
  }

  @Override
  public void close() {
    lines.close();
  }
}
