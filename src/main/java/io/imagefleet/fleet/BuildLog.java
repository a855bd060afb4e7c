package io.imagefleet.fleet;

import io.imagefleet.SafeFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** imagefleet's own lines in an image's log, between the daemon's output. */
final class BuildLog {
  private BuildLog() {}

  static void append(Path log, String text) {
    try {
      Files.writeString(log, text, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    } catch (IOException e) {
      // The log is best effort.
    }
  }

  /**
   * Makes the log readable by the steps after the build (it is uploaded as an artifact), whoever
   * wrote it: imagefleet, the daemon's progress or buildx.
   */
  static void share(Path log) {
    try {
      if (Files.exists(log)) {
        SafeFiles.share(log);
      }
    } catch (IOException e) {
      // The log is best effort.
    }
  }
}
