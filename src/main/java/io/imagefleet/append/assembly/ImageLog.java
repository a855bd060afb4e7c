package io.imagefleet.append.assembly;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** The image's own log: what was resolved and what crossed, one line each. */
record ImageLog(Path file) {
  void line(String text) {
    if (file == null) {
      return;
    }
    try {
      Files.writeString(file, text + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    } catch (IOException e) {
      // A log that can't be written must not fail the image.
    }
  }
}
