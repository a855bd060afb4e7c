package io.imagefleet.registry;

import java.net.http.HttpHeaders;
import java.time.Duration;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One registry's request budget, shared by every caller: an evenly paced bucket of requests a
 * minute (none when unlimited), a pause every caller waits out after a rate-limit answer, and
 * (Docker Hub) manifest GETs paced by the {@code ratelimit-*} headers the registry sends. Counts
 * requests, rate-limit answers and time waited.
 */
final class HostBudget {
  private static final Pattern HEADER =
      Pattern.compile("\\s*(\\d{1,12})\\s*(?:;\\s*w=(\\d{1,12}))?.*");

  private final String host;
  private final boolean headerPaced;
  private long interval;
  private long nextSlot;
  private long pausedUntil;
  private long manifestTokens = -1;
  private long manifestInterval;
  private long nextManifestSlot;
  private long requests;
  private long rateLimited;
  private long waitedNanos;

  /**
   * @param perMinute requests a minute, 0 for unlimited
   * @param headerPaced whether manifest GETs follow the registry's {@code ratelimit-*} headers
   */
  HostBudget(String host, long perMinute, boolean headerPaced) {
    this.host = host;
    this.headerPaced = headerPaced;
    setRate(perMinute);
  }

  synchronized void setRate(long perMinute) {
    interval = perMinute <= 0 ? 0 : Duration.ofMinutes(1).toNanos() / perMinute;
  }

  String host() {
    return host;
  }

  /**
   * How long the next request must wait for its turn, its turn taken; nothing is taken when the
   * wait would pass {@code deadline} (the answer then is that wait, for the message).
   */
  synchronized Reservation reserve(boolean manifestGet, Deadline deadline, long now) {
    long slot = Math.max(now, pausedUntil);
    long next = slot;
    if (interval > 0) {
      slot = Math.max(slot, nextSlot);
      next = slot + interval;
    }
    boolean paced = manifestGet && headerPaced && manifestTokens >= 0;
    long manifestNext = nextManifestSlot;
    if (paced && manifestTokens == 0) {
      slot = Math.max(slot, nextManifestSlot);
      manifestNext = slot + manifestInterval;
    }
    long wait = slot - now;
    if (wait > deadline.left().toNanos()) {
      return new Reservation(wait, false);
    }
    if (interval > 0) {
      nextSlot = next;
    }
    if (paced) {
      manifestTokens = Math.max(0, manifestTokens - 1);
      nextManifestSlot = manifestNext;
    }
    requests++;
    return new Reservation(wait, true);
  }

  record Reservation(long waitNanos, boolean granted) {}

  /** Nanos until a pause (a rate-limit answer) ends, 0 when none is on. */
  synchronized long pausedFor(long now) {
    return Math.max(0, pausedUntil - now);
  }

  /** A rate-limit answer: every caller of this host waits {@code wait} from now. */
  synchronized void pause(Duration wait, long now) {
    rateLimited++;
    pausedUntil = Math.max(pausedUntil, now + wait.toNanos());
  }

  synchronized void waited(long nanos) {
    waitedNanos += nanos;
  }

  /**
   * Docker Hub's {@code ratelimit-limit: 100;w=21600} and {@code ratelimit-remaining: 76;w=21600}:
   * the pulls left go at once, then one every window/limit.
   */
  synchronized void observe(HttpHeaders headers, long now) {
    if (!headerPaced) {
      return;
    }
    OptionalLong limit = count(headers, "ratelimit-limit", 1);
    OptionalLong window = count(headers, "ratelimit-limit", 2);
    OptionalLong remaining = count(headers, "ratelimit-remaining", 1);
    if (limit.isEmpty() || remaining.isEmpty() || limit.getAsLong() <= 0) {
      return;
    }
    long seconds = window.orElse(Duration.ofHours(6).toSeconds());
    manifestInterval = Duration.ofSeconds(seconds).toNanos() / limit.getAsLong();
    manifestTokens = remaining.getAsLong();
    if (manifestTokens == 0) {
      nextManifestSlot = Math.max(nextManifestSlot, now + manifestInterval);
    }
  }

  private static OptionalLong count(HttpHeaders headers, String name, int group) {
    Matcher m = HEADER.matcher(headers.firstValue(name).orElse(""));
    if (!m.matches() || m.group(group) == null) {
      return OptionalLong.empty();
    }
    return OptionalLong.of(Long.parseLong(m.group(group)));
  }

  synchronized RegistryUsage usage() {
    return new RegistryUsage(host, requests, rateLimited, waitedNanos / 1e9);
  }
}
