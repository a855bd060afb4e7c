package io.imagefleet.fleet;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.imagefleet.ExitCode;
import io.imagefleet.ImagefleetException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
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
  static final ObjectMapper JSON = new ObjectMapper();

  private final Path file;
  private final FileChannel channel;

  private Manifest(Path file, FileChannel channel) {
    this.file = file;
    this.channel = channel;
  }

  /** Opens for appending; without {@code keep} an earlier manifest is replaced. */
  static Manifest open(Path file, boolean keep) {
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
      if (keep) {
        dropTornLine(file);
      }
      FileChannel channel =
          keep
              ? FileChannel.open(
                  file,
                  StandardOpenOption.CREATE,
                  StandardOpenOption.WRITE,
                  StandardOpenOption.APPEND)
              : FileChannel.open(
                  file,
                  StandardOpenOption.CREATE,
                  StandardOpenOption.WRITE,
                  StandardOpenOption.TRUNCATE_EXISTING);
      return new Manifest(file, channel);
    } catch (IOException e) {
      throw ImagefleetException.invalidInput(
          "--output " + file.getParent() + ": cannot write the manifest: " + e.getMessage());
    }
  }

  synchronized void append(ManifestRecord record) {
    try {
      byte[] line = (JSON.writeValueAsString(record) + "\n").getBytes(StandardCharsets.UTF_8);
      ByteBuffer buffer = ByteBuffer.wrap(line);
      while (buffer.hasRemaining()) {
        channel.write(buffer);
      }
      channel.force(false);
    } catch (IOException e) {
      throw new ImagefleetException(
          ExitCode.INTERNAL, "cannot append to " + file + ": " + e.getMessage(), e);
    }
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

  /** Cuts a last line without a newline, so appended records start on a line of their own. */
  private static void dropTornLine(Path file) throws IOException {
    if (!Files.exists(file)) {
      return;
    }
    byte[] bytes = Files.readAllBytes(file);
    int end = bytes.length;
    while (end > 0 && bytes[end - 1] != '\n') {
      end--;
    }
    if (end != bytes.length) {
      try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
        channel.truncate(end);
      }
    }
  }

  @Override
  public void close() {
    try {
      channel.close();
    } catch (IOException e) {
      // Every record was already forced to disk.
    }
  }
}
