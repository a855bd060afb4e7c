package io.imagefleet.preflight;

import java.util.Optional;

/** The daemon's data root as a disk floor sees it: measured, and its build cache pruned. */
public interface DataRoot {
  /** Free space now; empty when it can't be measured. */
  Optional<DiskSpace> measure();

  /** Prunes build cache down to {@code keepBytes}; returns the bytes reclaimed. */
  long pruneBuildCache(long keepBytes);

  /** Whether {@link #pruneBuildCache} does anything. */
  boolean prunable();

  /** Measured by {@code probe}, pruned by {@code pruner} when there is one. */
  static DataRoot of(DiskProbe probe, Optional<CachePruner> pruner) {
    return new DataRoot() {
      @Override
      public Optional<DiskSpace> measure() {
        return probe.dataRoot().space();
      }

      @Override
      public long pruneBuildCache(long keepBytes) {
        return pruner
            .map(
                p ->
                    p.pruneBuildCache(keepBytes).stream()
                        .mapToLong(PruneStep::reclaimedBytes)
                        .sum())
            .orElse(0L);
      }

      @Override
      public boolean prunable() {
        return pruner.isPresent();
      }
    };
  }
}
