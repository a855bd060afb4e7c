package io.imagefleet.cli;

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
}
