package io.imagefleet.preflight;

import io.imagefleet.docker.Units;
import java.util.Optional;

/**
 * Free space the daemon's data root must keep, and the build cache kept when pruning toward it:
 * preflight's start gate ({@code --min-free-gb}, default 75) and build's running floor (default 20)
 * are both this, with one measurement, one prune and one message.
 */
public record DiskFloor(long floorBytes, long keepBytes) {

  /** Whether the floor holds, and the message a person reads (and acts on, if not). */
  public record Verdict(boolean passed, String message) {}

  /**
   * One look at the data root: measured, and when under the floor the build cache pruned to {@code
   * keepBytes} and measured again. {@code after} is {@code before} when nothing was pruned.
   */
  public record Check(
      Optional<DiskSpace> before, Optional<DiskSpace> after, boolean pruned, long prunedBytes) {}

  public boolean holds(long freeBytes) {
    return freeBytes >= floorBytes;
  }

  /** Measures; under the floor, prunes build cache to {@code keepBytes} and measures again. */
  public Check check(DataRoot root) {
    Optional<DiskSpace> before = root.measure();
    if (before.isEmpty() || holds(before.get().freeBytes()) || !root.prunable()) {
      return new Check(before, before, false, 0);
    }
    long reclaimed = root.pruneBuildCache(keepBytes);
    return new Check(before, root.measure(), true, reclaimed);
  }

  /** The verdict on the data root's free space after {@code reclaimedBytes} were reclaimed. */
  public Verdict verdict(DiskSpace space, long reclaimedBytes) {
    long needGib = floorBytes / Units.GIB;
    if (!holds(space.freeBytes())) {
      return new Verdict(
          false,
          "need "
              + needGib
              + " GiB free on "
              + space.path()
              + " (filesystem "
              + space.filesystem()
              + "), have "
              + Units.gib(space.freeBytes())
              + " after reclaiming "
              + Units.gib(reclaimedBytes)
              + "; raise the runner size, lower --keep-storage-gb, or use --remove-toolchains");
    }
    return new Verdict(
        true,
        Units.gib(space.freeBytes())
            + " free on "
            + space.path()
            + " (filesystem "
            + space.filesystem()
            + "), need "
            + needGib
            + " GiB");
  }
}
