package io.imagefleet.fleet;

import io.imagefleet.ExitCode;
import io.imagefleet.ImagefleetException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * disk.jsonl: one line per measurement of the data root ({@code at}, {@code free_bytes}, {@code
 * floor_bytes}, and {@code pruned_bytes} after a prune), forced to disk like the manifest.
 */
final class DiskLog implements AutoCloseable {
  private final Path file;
  private final FileChannel channel;

  private DiskLog(Path file, FileChannel channel) {
    this.file = file;
    this.channel = channel;
  }

  /** Opens for appending; without {@code keep} an earlier log is replaced. */
  static DiskLog open(Path file, boolean keep) {
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
      FileChannel channel =
          FileChannel.open(
              file,
              StandardOpenOption.CREATE,
              StandardOpenOption.WRITE,
              keep ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING);
      return new DiskLog(file, channel);
    } catch (IOException e) {
      throw ImagefleetException.invalidInput(
          "--output " + file.getParent() + ": cannot write " + file + ": " + e.getMessage());
    }
  }

  /** One measurement; {@code prunedBytes} below zero means no prune came before it. */
  synchronized void sample(String at, long freeBytes, long floorBytes, long prunedBytes) {
    Map<String, Object> line = new LinkedHashMap<>();
    line.put("at", at);
    line.put("free_bytes", freeBytes);
    line.put("floor_bytes", floorBytes);
    if (prunedBytes >= 0) {
      line.put("pruned_bytes", prunedBytes);
    }
    try {
      ByteBuffer buffer =
          ByteBuffer.wrap(
              (Manifest.JSON.writeValueAsString(line) + "\n").getBytes(StandardCharsets.UTF_8));
      while (buffer.hasRemaining()) {
        channel.write(buffer);
      }
      channel.force(false);
    } catch (IOException e) {
      throw new ImagefleetException(
          ExitCode.INTERNAL, "cannot append to " + file + ": " + e.getMessage(), e);
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
