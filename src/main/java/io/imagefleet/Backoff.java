package io.imagefleet;

import java.time.Duration;

/** Waits between retries: doubling from a base, capped at 32 times it. */
public final class Backoff {
  private Backoff() {}

  /** The wait before retry number {@code attempt} (1 for the first retry). */
  public static Duration delay(Duration base, int attempt) {
    return base.multipliedBy(1L << Math.min(Math.max(attempt - 1, 0), 5));
  }

  /** Sleeps; an interrupt ends the wait early and stays set for the caller to see. */
  public static void pause(Duration duration) {
    try {
      Thread.sleep(duration.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
