package io.imagefleet.append;

import java.time.Duration;

/** When one image's work must be done; every call gets the smaller of its own bound and this. */
record Deadline(long nanos) {
  static Deadline after(Duration timeout) {
    return new Deadline(System.nanoTime() + timeout.toNanos());
  }

  Duration left() {
    return Duration.ofNanos(Math.max(0, nanos - System.nanoTime()));
  }

  Duration bound(Duration call) {
    Duration left = left();
    return left.compareTo(call) < 0 ? left : call;
  }

  boolean passed() {
    return System.nanoTime() - nanos >= 0;
  }
}
