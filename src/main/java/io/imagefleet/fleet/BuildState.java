package io.imagefleet.fleet;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;

/**
 * What the dispatcher and the workers of one run share: why it stopped (if it did), what stopped
 * answering, the records so far, and the deadline arithmetic over them.
 */
final class BuildState {
  /** Why a run stopped before the end of its plan. */
  enum Stop {
    DEADLINE("deadline"),
    DISK("disk"),
    CANCELLED("cancelled"),
    UNREACHABLE("unreachable");

    final String id;

    Stop(String id) {
      this.id = id;
    }
  }

  private final BuildSettings settings;
  private final Ticker ticker;
  private final long start;
  private final AtomicReference<Stop> stop = new AtomicReference<>();
  private final AtomicReference<String> down = new AtomicReference<>();
  private final List<ManifestRecord> records = new CopyOnWriteArrayList<>();

  BuildState(BuildSettings settings, Ticker ticker) {
    this.settings = settings;
    this.ticker = ticker;
    this.start = ticker.nanos();
  }

  Ticker ticker() {
    return ticker;
  }

  Optional<Stop> stopped() {
    return Optional.ofNullable(stop.get());
  }

  boolean cancelled() {
    return stop.get() == Stop.CANCELLED;
  }

  /** Stops for {@code why} unless the run already stopped for something else. */
  void stop(Stop why) {
    stop.compareAndSet(null, why);
  }

  Optional<String> down() {
    return Optional.ofNullable(down.get());
  }

  /** Records what stopped answering; true for the first to say so. */
  boolean markDown(String what) {
    if (down.compareAndSet(null, what)) {
      stop(Stop.UNREACHABLE);
      return true;
    }
    return false;
  }

  void record(ManifestRecord record) {
    records.add(record);
  }

  List<ManifestRecord> records() {
    return List.copyOf(records);
  }

  /** Past the deadline, or too close to it to start an image of the expected length. */
  boolean pastDeadline() {
    if (settings.deadline().isEmpty()) {
      return false;
    }
    long elapsed = ticker.nanos() - start;
    long[] built =
        records.stream()
            .filter(r -> r.status() == ManifestRecord.Status.BUILT)
            .mapToLong(r -> (long) (r.seconds() * 1e9))
            .sorted()
            .toArray();
    long median = built.length == 0 ? 0 : built[built.length / 2];
    return elapsed + median >= settings.deadline().get().toNanos();
  }

  /** One image's time limit: {@code --image-timeout}, capped at what is left of the deadline. */
  Duration timeout() {
    if (settings.deadline().isEmpty()) {
      return settings.imageTimeout();
    }
    long left = settings.deadline().get().toNanos() - (ticker.nanos() - start);
    return Duration.ofNanos(
        Math.max(1_000_000_000L, Math.min(settings.imageTimeout().toNanos(), left)));
  }

  /** Seconds since {@code begin} (a {@link Ticker#nanos} value), to a tenth. */
  double seconds(long begin) {
    return Math.round((ticker.nanos() - begin) / 1e8) / 10.0;
  }
}
