package io.imagefleet.cli;

import io.imagefleet.ImagefleetException;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** build's report directory, and the dry run that only lists what it would do. */
final class OutputOptions {
  @Option(
      names = "--output",
      defaultValue = "imagefleet-out",
      paramLabel = "DIR",
      description = "Logs, manifest.jsonl and the summary (default: ${DEFAULT-VALUE}).")
  Path output;

  @Option(
      names = "--dry-run",
      description = "Print instance, base, image and skip/build decision; build nothing.")
  boolean dryRun;

  /**
   * Exit 2 before any work when an --output DIR (build's, check's or report's) names a file: found
   * late, it fails whichever writer comes first, with that writer's message.
   */
  static Path requireDirectory(Path dir) {
    if (dir != null && Files.exists(dir) && !Files.isDirectory(dir)) {
      throw ImagefleetException.invalidInput("--output " + dir + ": is a file; name a directory");
    }
    return dir;
  }
}
