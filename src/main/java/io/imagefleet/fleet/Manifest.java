package io.imagefleet.fleet;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.imagefleet.ImagefleetException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * manifest.jsonl: one record per finished image, appended and forced to disk as each image ends, so
 * a killed run loses nothing. A resumed run reads it back; a torn last line (the kill came
 * mid-write) is ignored.
 */
final class Manifest implements AutoCloseable {
  static final ObjectMapper JSON = DurableLines.JSON;

  private final DurableLines lines;

  private Manifest(DurableLines lines) {
    this.lines = lines;
  }

  /** Opens for appending; without {@code keep} an earlier manifest is replaced. */
  static Manifest open(Path file, boolean keep) {
    return new Manifest(DurableLines.open(file, keep, "the manifest"));
  }

  void append(ManifestRecord record) {
    lines.append(record);
  }

  /** The last record of each instance in an existing manifest. */
  static Map<String, ManifestRecord> read(Path file) {
    Map<String, ManifestRecord> last = new HashMap<>();
    if (!Files.exists(file)) {
      return last;
    }
    try {
      List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
      for (String line : lines) {
        if (line.isBlank()) {
          continue;
        }
        try {
          ManifestRecord record = JSON.readValue(line, ManifestRecord.class);
          last.put(record.instance(), record);
        } catch (IOException e) {
          // A line cut short by a kill: that image is simply not done.
        }
      }
    } catch (IOException e) {
      throw ImagefleetException.invalidInput(
          "--resume: cannot read " + file + ": " + e.getMessage());
    }
    return last;
  }

  /** Instances a resumed run need not touch: their last record says built or skipped. */
  static Set<String> done(Map<String, ManifestRecord> records) {
    return Set.copyOf(
        records.values().stream()
            .filter(r -> r.status() != ManifestRecord.Status.FAILED)
            .map(ManifestRecord::instance)
            .toList());
  }

  @Override
  public void close() {
    lines.close();
  }
}
