package io.imagefleet.fleet;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** Writes what a build leaves in its --output, through the writers the build uses. */
public final class FleetOutputs {
  private FleetOutputs() {}

  /** manifest.jsonl, disk.jsonl, summary.json, summary.md and logs/a-1.log under {@code output}. */
  public static void write(Path output) throws IOException {
    ManifestRecord record =
        new ManifestRecord(
            "a-1", "base:1", List.of(), null, ManifestRecord.Status.FAILED, 1, 1.0, "exit 1");
    try (Manifest manifest = Manifest.open(output.resolve("manifest.jsonl"), false)) {
      manifest.append(record);
    }
    try (DiskLog disk = DiskLog.open(output.resolve("disk.jsonl"), false)) {
      disk.sample("2026-01-01T00:00:00Z", 1, 0, -1);
    }
    BuildSummary.of(
            1,
            List.of(record),
            0,
            1,
            Optional.empty(),
            Optional.empty(),
            Optional.empty(),
            "engine",
            false)
        .write(output);
    Path log = output.resolve("logs").resolve("a-1.log");
    io.imagefleet.SafeFiles.createSharedDirectories(log.getParent());
    BuildLog.append(log, "=== imagefleet: a-1 ===\n");
    BuildLog.share(log);
  }
}
