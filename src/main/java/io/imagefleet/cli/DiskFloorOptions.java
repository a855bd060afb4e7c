package io.imagefleet.cli;

import io.imagefleet.ImagefleetException;
import io.imagefleet.docker.Units;
import picocli.CommandLine.Option;

/** build's free-disk floor between batches, and the build cache kept when pruning to reach it. */
final class DiskFloorOptions {
  @Option(
      names = "--min-free-gb",
      defaultValue = "20",
      paramLabel = "N",
      description =
          "Free GiB on the data root below which build cache is pruned between batches, and the build stops if still short (default: ${DEFAULT-VALUE}).")
  int minFreeGb;

  @Option(
      names = "--keep-storage-gb",
      defaultValue = "20",
      paramLabel = "N",
      description = "Build cache GiB kept when pruning (default: ${DEFAULT-VALUE}).")
  int keepStorageGb;

  void check() {
    ImagefleetException.requireAtLeast("--min-free-gb", minFreeGb, 0);
    ImagefleetException.requireAtLeast("--keep-storage-gb", keepStorageGb, 0);
  }

  long minFreeBytes() {
    return minFreeGb * Units.GIB;
  }

  long keepBytes() {
    return keepStorageGb * Units.GIB;
  }
}
