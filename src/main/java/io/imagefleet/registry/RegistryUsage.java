package io.imagefleet.registry;

import java.util.Locale;

/** What one registry's budget saw: requests sent, rate-limit answers (429s), seconds waited. */
public record RegistryUsage(String host, long requests, long rateLimited, double secondsWaited) {
  /** {@code this} minus what {@code before} had already counted. */
  RegistryUsage since(RegistryUsage before) {
    return new RegistryUsage(
        host,
        requests - before.requests,
        rateLimited - before.rateLimited,
        Math.max(0, secondsWaited - before.secondsWaited));
  }

  /** {@code ghcr.io: 812 requests, 0 rate-limited (429), 0.0 s waited for the budget}. */
  public String line() {
    return String.format(
        Locale.ROOT,
        "%s: %d requests, %d rate-limited (429), %.1f s waited for the budget",
        host,
        requests,
        rateLimited,
        secondsWaited);
  }
}
