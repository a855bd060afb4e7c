package io.imagefleet.fleet;

import io.imagefleet.preflight.CachePruner;
import io.imagefleet.preflight.DiskFloor;
import io.imagefleet.preflight.DiskProbe;
import io.imagefleet.preflight.DiskSpace;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * build's running floor on the data root: every measurement (logged to disk.jsonl), the prune when
 * under the floor, and each image's disk growth, estimated from the free space seen while it was in
 * flight (the drop since its start, shared among the images then in flight). From the 90th
 * percentile of that growth it tells whether one more image still fits above the floor.
 */
final class DiskWatch implements AutoCloseable {
  private final Optional<DiskProbe> probe;
  private final Optional<CachePruner> pruner;
  private final DiskFloor floor;
  private final DiskLog log;
  private final Ticker ticker;
  private final Map<String, long[]> flights = new HashMap<>();
  private final List<Long> growth = new ArrayList<>();
  private Optional<DiskSpace> latest = Optional.empty();
  private long measuredAt = Long.MIN_VALUE;

  DiskWatch(
      Optional<DiskProbe> probe,
      Optional<CachePruner> pruner,
      DiskFloor floor,
      DiskLog log,
      Ticker ticker) {
    this.probe = probe;
    this.pruner = pruner;
    this.floor = floor;
    this.log = log;
    this.ticker = ticker;
  }

  boolean enabled() {
    return probe.isPresent();
  }

  DiskFloor floor() {
    return floor;
  }

  /** The check: measures, and under the floor prunes build cache and measures again. */
  synchronized DiskFloor.Check check() {
    DiskFloor.Check check = floor.check(probe.orElseThrow(), pruner);
    check.before().ifPresent(space -> seen(space, -1));
    if (check.pruned()) {
      check.after().ifPresent(space -> seen(space, check.prunedBytes()));
    }
    return check;
  }

  /** A measurement only, for the growth of the images in flight; a failed one is skipped. */
  synchronized void sample() {
    try {
      probe.flatMap(p -> p.dataRoot().space()).ifPresent(space -> seen(space, -1));
    } catch (RuntimeException e) {
      // The daemon may be going; the next check, or the health check, says so.
    }
  }

  /** Nanos ({@link Ticker#nanos}) of the last measurement. */
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

  /**
   * Whether {@code inFlight} images (the one about to start included) each growing by the 90th
   * percentile of the growth seen so far still leave the floor: unknown growth or free space fit.
   */
  synchronized boolean fits(int inFlight) {
    if (latest.isEmpty() || growth.isEmpty()) {
      return true;
    }
    return latest.get().freeBytes() - inFlight * p90() >= floor.floorBytes();
  }

  synchronized long p90() {
    if (growth.isEmpty()) {
      return 0;
    }
    List<Long> sorted = new ArrayList<>(growth);
    sorted.sort(null);
    return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(sorted.size() * 0.9) - 1));
  }

  synchronized void started(String instance) {
    flights.put(instance, new long[] {latest.map(DiskSpace::freeBytes).orElse(-1L), 0});
  }

  synchronized void finished(String instance) {
    long[] flight = flights.remove(instance);
    if (flight != null && flight[0] >= 0) {
      growth.add(flight[1]);
    }
  }

  /** Growth recorded directly, e.g. carried over from an earlier run. */
  synchronized void grew(long bytes) {
    growth.add(bytes);
  }

  private void seen(DiskSpace space, long prunedBytes) {
    latest = Optional.of(space);
    measuredAt = ticker.nanos();
    log.sample(ticker.stamp(), space.freeBytes(), floor.floorBytes(), prunedBytes);
    long free = space.freeBytes();
    int share = Math.max(1, flights.size());
    for (long[] flight : flights.values()) {
      if (flight[0] < 0 || free > flight[0]) {
        flight[0] = flight[0] < 0 ? free : Math.max(flight[0], free);
      }
      flight[1] = Math.max(flight[1], (flight[0] - free) / share);
    }
  }

  @Override
  public void close() {
    log.close();
  }
}
