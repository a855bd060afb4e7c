package io.imagefleet.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.imagefleet.ImagefleetException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What one build's {@code --output} directory holds: the last manifest record of each image, the
 * disk measurements, and summary.json when the run got to write it. Lines that don't parse (a torn
 * last line, a foreign file) are counted, not fatal.
 */
record Shard(
    String name,
    Path dir,
    List<ImageRecord> records,
    List<DiskSample> disk,
    Optional<JsonNode> summary,
    int unreadableLines,
    boolean diskLogWritten) {
  static final ObjectMapper JSON = new ObjectMapper();

  static Shard read(Path dir) {
    if (!Files.isDirectory(dir)) {
      throw ImagefleetException.invalidInput(
          dir + " is no directory; give the --output directory of a build");
    }
    Path manifest = dir.resolve("manifest.jsonl");
    Path summaryFile = dir.resolve("summary.json");
    if (!Files.exists(manifest) && !Files.isRegularFile(summaryFile)) {
      throw ImagefleetException.invalidInput(
          dir
              + ": no build outputs found (no manifest.jsonl or summary.json, here or in a"
              + " subdirectory); give a build's --output directory or a directory of them");
    }
    Path name = dir.toAbsolutePath().normalize().getFileName();
    return read(name == null ? "/" : name.toString(), dir, manifest, summaryFile);
  }

  /**
   * A manifest file alone ({@code build --history}): with the summary.json beside it when the file
   * is a build's manifest.jsonl.
   */
  static Shard ofManifest(Path manifest) {
    if (!Files.isRegularFile(manifest)) {
      throw ImagefleetException.invalidInput(
          manifest + ": no such file; pass the manifest.jsonl of an earlier run");
    }
    Path dir = manifest.toAbsolutePath().normalize().getParent();
    Path summary =
        manifest.getFileName().toString().equals("manifest.jsonl")
            ? dir.resolve("summary.json")
            : dir.resolve(".no-summary-for-" + manifest.getFileName());
    return read(manifest.getFileName().toString(), dir, manifest, summary);
  }

  private static Shard read(String shardName, Path dir, Path manifest, Path summaryFile) {
    int[] unreadable = {0};
    Map<String, ImageRecord> last = new LinkedHashMap<>();
    List<ImageRecord> records = lines(manifest, ImageRecord.class, unreadable);
    if (records.isEmpty() && unreadable[0] > 0) {
      throw ImagefleetException.invalidInput(
          manifest
              + ": no manifest record in its "
              + unreadable[0]
              + (unreadable[0] == 1 ? " line" : " lines")
              + "; give the manifest.jsonl a build wrote");
    }
    for (ImageRecord r : records) {
      last.remove(r.instance());
      last.put(r.instance(), r);
    }
    List<DiskSample> disk = lines(dir.resolve("disk.jsonl"), DiskSample.class, unreadable);
    Optional<JsonNode> summary = Optional.empty();
    if (Files.isRegularFile(summaryFile)) {
      try {
        summary = Optional.of(JSON.readTree(summaryFile.toFile())).filter(JsonNode::isObject);
      } catch (IOException e) {
        unreadable[0]++;
      }
    }
    return new Shard(
        shardName,
        dir,
        List.copyOf(last.values()),
        disk,
        summary,
        unreadable[0],
        Files.exists(dir.resolve("disk.jsonl")));
  }

  /** This shard under another name (shards never share a row of the timeline). */
  Shard named(String other) {
    return new Shard(other, dir, records, disk, summary, unreadableLines, diskLogWritten);
  }

  /** {@code dir} itself when it holds a manifest, else each subdirectory that does (shards). */
  static List<Path> expand(Path dir) {
    if (Files.exists(dir.resolve("manifest.jsonl")) || !Files.isDirectory(dir)) {
      return List.of(dir);
    }
    try (var children = Files.list(dir)) {
      List<Path> shards =
          children.filter(c -> Files.isRegularFile(c.resolve("manifest.jsonl"))).sorted().toList();
      return shards.isEmpty() ? List.of(dir) : shards;
    } catch (IOException e) {
      throw ImagefleetException.invalidInput("cannot list " + dir + ": " + e.getMessage());
    }
  }

  private static <T> List<T> lines(Path file, Class<T> type, int[] unreadable) {
    List<T> values = new ArrayList<>();
    if (!Files.isRegularFile(file)) {
      return values;
    }
    List<String> lines;
    try {
      lines = new String(Files.readAllBytes(file), StandardCharsets.UTF_8).lines().toList();
    } catch (IOException e) {
      throw ImagefleetException.invalidInput("cannot read " + file + ": " + e.getMessage());
    }
    for (String line : lines) {
      if (line.isBlank()) {
        continue;
      }
      try {
        T value = JSON.readValue(line, type);
        if (value != null) {
          values.add(value);
        }
      } catch (IOException e) {
        unreadable[0]++;
      }
    }
    return values;
  }

  /** A log of this shard's image, as the build names it ({@code logs/<encoded id>.log}). */
  Path log(String instance) {
    return io.imagefleet.SafeFiles.child(dir.resolve("logs"), instance, ".log");
  }
}
