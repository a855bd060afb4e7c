package io.imagefleet.docker;

import com.github.dockerjava.api.model.ResponseItem;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** Appends the daemon's progress stream to a log file, one line per message. */
final class ProgressLog implements AutoCloseable {
  private final java.io.Writer writer;

  ProgressLog(Path log) {
    try {
      this.writer =
          Files.newBufferedWriter(
              log,
              java.nio.charset.StandardCharsets.UTF_8,
              StandardOpenOption.CREATE,
              StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new StepFailure("cannot write log " + log + ": " + e.getMessage(), false);
    }
  }

  synchronized void write(ResponseItem item) {
    try {
      if (item.getStream() != null) {
        writer.write(item.getStream());
      } else if (item.getStatus() != null) {
        writer.write(item.getStatus() + (item.getId() != null ? " " + item.getId() : "") + "\n");
      }
      if (item.isErrorIndicated()) {
        writer.write(
            "ERROR: "
                + (item.getErrorDetail() != null
                    ? item.getErrorDetail().getMessage()
                    : item.getError())
                + "\n");
      }
      writer.flush();
    } catch (IOException e) {
      // The log is best effort; the build result still decides.
    }
  }

  @Override
  public synchronized void close() {
    try {
      writer.close();
    } catch (IOException e) {
      // Nothing left to flush that matters.
    }
  }
}
