package io.imagefleet.fleet;

import io.imagefleet.preflight.DataRoot;
import io.imagefleet.preflight.DiskFloor;
import io.imagefleet.preflight.DiskSpace;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * build's running floor on the data root: every measurement (logged to disk.jsonl), the prune when
 * under the floor, and each image's disk growth. df can't tell images apart, so a drop in free
 * space between two measurements is shared equally among the images then in flight. One more image
 * fits when free space, less what the images in flight are still expected to grow and what the new
 * one is expected to grow (the 90th percentile of finished images; before any finished, the most
 * any image in flight grew so far), stays at or above the floor. Until an image has finished, one
 * image runs alone when the free space above the floor is under {@link #ASSUMED_GROWTH} per worker.
 */
final class DiskWatch implements AutoCloseable {
  /** A SWE-Bench image grows the data root by ≈ 2.8 GiB (base plus layer); rounded up. */
  static final long ASSUMED_GROWTH = 4L << 30;

  private final Optional<DataRoot> root;
  private final int workers;
  private final DiskFloor floor;
  private final DiskLog log;
  private final Ticker ticker;
  private final Map<String, long[]> flights = new HashMap<>();
  private final List<Long> growth = new ArrayList<>();
  private Optional<DiskSpace> latest = Optional.empty();
  private long measuredAt = Long.MIN_VALUE;

  DiskWatch(Optional<DataRoot> root, int workers, DiskFloor floor, DiskLog log, Ticker ticker) {
    this.root = root;
    this.workers = workers;
    this.floor = floor;
    this.log = log;
    this.ticker = ticker;
  }

  boolean enabled() {
    return root.isPresent();
  }

  DiskFloor floor() {
    return floor;
  }

  /**
   * The check: measures, and under the floor prunes build cache and measures again; a measurement
   * that fails counts as none.
   */
  synchronized DiskFloor.Check check() {
    DiskFloor.Check check;
    try {
      check = floor.check(root.orElseThrow());
    } catch (RuntimeException e) {
      // The daemon may be going: the health check after the next failure says so (exit 4).
      return new DiskFloor.Check(Optional.empty(), Optional.empty(), false, 0);
    }
    check.before().ifPresent(space -> seen(space, -1));
    if (check.pruned()) {
      check.after().ifPresent(space -> seen(space, check.prunedBytes()));
    }
    return check;
  }

  /** A measurement only, for the growth of the images in flight; a failed one is skipped. */
  synchronized void sample() {
    try {
      root.flatMap(DataRoot::measure).ifPresent(space -> seen(space, -1));
    } catch (RuntimeException e) {
      // The daemon may be going; the next check, or the health check, says so.
    }
  }

  /** {@link Ticker#nanos} of the last measurement. */
  synchronized boolean measured() {
    return latest.isPresent();
  }

  synchronized long measuredAt() {
    return measuredAt;
  }

  /** Whether the last measurement was made directly (cheap to repeat) rather than by a helper. */
  synchronized boolean cheap() {
    return latest.map(s -> s.method().equals("direct")).orElse(false);
  }

  synchronized Optional<Long> free() {
    return latest.map(DiskSpace::freeBytes);
  }

  /** Under the floor at the last measurement. */
  synchronized boolean under() {
    return latest.isPresent() && !floor.holds(latest.get().freeBytes());
  }

  /** Whether one more image, started now, is expected to leave the floor intact. */
  synchronized boolean fits() {
    if (latest.isEmpty()) {
      return flights.isEmpty();
    }
    long headroom = latest.get().freeBytes() - floor.floorBytes();
    if (growth.isEmpty() && !flights.isEmpty() && headroom < workers * ASSUMED_GROWTH) {
      return false; // The pilot: nothing is known about growth yet and the disk is tight.
    }
    long expected = expectedGrowth();
    long pending = flights.values().stream().mapToLong(f -> Math.max(0, expected - f[0])).sum();
    return latest.get().freeBytes() - pending - expected >= floor.floorBytes();
  }

  /** What one image is expected to grow: see the class comment. */
  synchronized long expectedGrowth() {
    if (growth.isEmpty()) {
      return flights.values().stream().mapToLong(f -> f[0]).max().orElse(0);
    }
    List<Long> sorted = new ArrayList<>(growth);
    sorted.sort(null);
    return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(sorted.size() * 0.9) - 1));
  }

  synchronized void started(String instance) {
    flights.put(instance, new long[] {0});
  }

  synchronized void finished(String instance) {
    long[] flight = flights.remove(instance);
    if (flight != null) {
      growth.add(flight[0]);
    }
  }

  private void seen(DiskSpace space, long prunedBytes) {
    long free = space.freeBytes();
    if (latest.isPresent() && !flights.isEmpty() && free < latest.get().freeBytes()) {
      long share = (latest.get().freeBytes() - free) / flights.size();
      flights.values().forEach(f -> f[0] += share);
    }
    latest = Optional.of(space);
    measuredAt = ticker.nanos();
    log.sample(ticker.stamp(), free, floor.floorBytes(), prunedBytes);
  }

  @Override
  public void close() {
    log.close();
  }
}
