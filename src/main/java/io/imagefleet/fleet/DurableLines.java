package io.imagefleet.fleet;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.imagefleet.ImagefleetException;
import io.imagefleet.LocalFailure;
import io.imagefleet.SafeFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A JSON Lines file in --output that a killed run must not lose: each line is appended and forced
 * to disk before the call returns. Reopened to keep, a torn last line (the kill came mid-write) is
 * cut, so new lines start on a line of their own.
 */
final class DurableLines implements AutoCloseable {
  static final ObjectMapper JSON = new ObjectMapper();

  private final Path file;
  private final FileChannel channel;

  private DurableLines(Path file, FileChannel channel) {
    this.file = file;
    this.channel = channel;
  }

  /** Opens for appending; without {@code keep} an earlier file is replaced. */
  static DurableLines open(Path file, boolean keep, String what) {
    try {
      SafeFiles.createSharedDirectories(file.toAbsolutePath().getParent());
      if (keep) {
        dropTornLine(file);
      }
      FileChannel channel =
          FileChannel.open(
              file,
              StandardOpenOption.CREATE,
              StandardOpenOption.WRITE,
              keep ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING);
      SafeFiles.share(file);
      return new DurableLines(file, channel);
    } catch (IOException e) {
      throw ImagefleetException.invalidInput(
          "--output " + file.getParent() + ": cannot write " + what + ": " + e.getMessage());
    }
  }

  /** Appends {@code value} as one JSON line and forces it to disk. */
  synchronized void append(Object value) {
    try {
      byte[] line = (JSON.writeValueAsString(value) + "\n").getBytes(StandardCharsets.UTF_8);
      ByteBuffer buffer = ByteBuffer.wrap(line);
      while (buffer.hasRemaining()) {
        channel.write(buffer);
      }
      channel.force(false);
    } catch (IOException e) {
      throw new LocalFailure("cannot append to " + file + ": " + e.getMessage(), e);
    }
  }

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
      // Every line was already forced to disk.
    }
  }
}
