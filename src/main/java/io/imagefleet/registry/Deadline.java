package io.imagefleet.registry;

import java.time.Duration;

/**
 * When a piece of registry work must be done; every call gets the smaller of its bound and this.
 */
public record Deadline(long nanos) {
  public static Deadline after(Duration timeout) {
    return new Deadline(System.nanoTime() + timeout.toNanos());
  }

  public Duration left() {
    return Duration.ofNanos(Math.max(0, nanos - System.nanoTime()));
  }

  public Duration bound(Duration call) {
    Duration left = left();
    return left.compareTo(call) < 0 ? left : call;
  }

  public boolean passed() {
    return System.nanoTime() - nanos >= 0;
  }
}
