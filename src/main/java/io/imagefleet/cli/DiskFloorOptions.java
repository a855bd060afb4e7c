package io.imagefleet.cli;

import io.imagefleet.ImagefleetException;
import io.imagefleet.docker.Units;
import io.imagefleet.preflight.DiskFloor;
import picocli.CommandLine.Option;

/**
 * The free-disk floor on the data root and the build cache kept when pruning toward it: preflight's
 * start gate and build's running floor. Each command's resource bundle ({@code
 * io/imagefleet/cli/<command>.properties}) gives its default and description.
 */
final class DiskFloorOptions {
  @Option(
      names = "--min-free-gb",
      defaultValue = "${bundle:min-free-gb.default}",
      paramLabel = "N",
      descriptionKey = "min-free-gb")
  int minFreeGb;

  @Option(
      names = "--keep-storage-gb",
      defaultValue = "${bundle:keep-storage-gb.default}",
      paramLabel = "N",
      descriptionKey = "keep-storage-gb")
  int keepStorageGb;

  void check() {
    ImagefleetException.requireAtLeast("--min-free-gb", minFreeGb, 0);
    ImagefleetException.requireAtLeast("--keep-storage-gb", keepStorageGb, 0);
  }

  DiskFloor floor() {
    return new DiskFloor(minFreeGb * Units.GIB, keepStorageGb * Units.GIB);
  }
}
