package io.imagefleet.registry;

import io.imagefleet.Backoff;
import io.imagefleet.ImageMeter;
import java.net.http.HttpHeaders;
import java.time.Duration;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The request budgets of every registry the process talks to, shared by every worker and command:
 * what each registry publishes by default (ghcr.io 1,500 requests a minute, under GitHub's 2,000;
 * Docker Hub's manifest GETs by its {@code ratelimit-*} headers), {@code --registry-rate} on top.
 * Registries are named as image references name them ({@code host[:port]}, {@code docker.io}).
 */
public final class RegistryBudgets {
  /** Requests a minute each registry allows unless told otherwise. */
  public static final Map<String, Long> PUBLISHED = Map.of("ghcr.io", 1500L);

  /** Registries whose manifest GETs follow the {@code ratelimit-*} headers they send. */
  public static final Set<String> HEADER_PACED = Set.of(ImageReference.DOCKER_HUB);

  /** What Docker Hub allowed a free account per window when it last said: 100 pulls per 6 h. */
  public static final long DOCKER_HUB_PULLS = 100;

  public static final Duration DOCKER_HUB_WINDOW = Duration.ofHours(6);

  private final Map<String, Long> rates = new ConcurrentHashMap<>();
  private final Set<String> headerPaced;
  private final Map<String, HostBudget> hosts = new ConcurrentHashMap<>();

  public RegistryBudgets() {
    this(PUBLISHED, HEADER_PACED);
  }

  RegistryBudgets(Map<String, Long> rates, Set<String> headerPaced) {
    this.rates.putAll(rates);
    this.headerPaced = Set.copyOf(headerPaced);
  }

  /** Sets the budgets {@code --registry-rate} names; the other registries keep theirs. */
  public RegistryBudgets configure(Collection<RegistryRate> given) {
    for (RegistryRate rate : given) {
      rates.put(rate.host(), rate.perMinute());
      HostBudget budget = hosts.get(rate.host());
      if (budget != null) {
        budget.setRate(rate.perMinute());
      }
    }
    return this;
  }

  /** Requests a minute for {@code registry}; empty when unlimited. */
  public Optional<Long> perMinute(String registry) {
    long rate = rates.getOrDefault(RegistryRate.canonicalHost(registry), 0L);
    return rate > 0 ? Optional.of(rate) : Optional.empty();
  }

  /**
   * Whether {@code registry}'s manifest GETs are paced by its headers ({@code --registry-rate}
   * {@code HOST=0/min} turns that off too).
   */
  public boolean pacesManifests(String registry) {
    String host = RegistryRate.canonicalHost(registry);
    return headerPaced.contains(host) && rates.getOrDefault(host, -1L) != 0;
  }

  /**
   * Waits for {@code registry}'s budget to allow one more request (and out any pause on it); throws
   * a rate-limited {@link RegistryFailure} naming the registry when that wait would pass the
   * deadline.
   */
  void acquire(String registry, boolean manifestGet, Deadline deadline, String action) {
    HostBudget budget = budget(registry);
    HostBudget.Reservation turn = budget.reserve(manifestGet, deadline, System.nanoTime());
    if (!turn.granted()) {
      throw tooLong(action, budget.host(), turn.waitNanos(), deadline);
    }
    sleep(budget, turn.waitNanos());
    // A rate-limit answer to another caller meanwhile pauses this one too.
    for (long paused = budget.pausedFor(System.nanoTime());
        paused > 0;
        paused = budget.pausedFor(System.nanoTime())) {
      if (paused > deadline.left().toNanos()) {
        throw tooLong(action, budget.host(), paused, deadline);
      }
      sleep(budget, paused);
    }
  }

  /** A rate-limit answer from {@code registry}: every caller of it waits {@code wait}. */
  void pause(String registry, Duration wait) {
    budget(registry).pause(wait, System.nanoTime());
  }

  void observe(String registry, HttpHeaders headers) {
    budget(registry).observe(headers, System.nanoTime());
  }

  /** What each registry used so far in this process, by host. */
  public Usage usage() {
    return new Usage(
        hosts.values().stream()
            .map(HostBudget::usage)
            .sorted(Comparator.comparing(RegistryUsage::host))
            .toList());
  }

  /** Counts at one moment; {@link #since} gives what a command used after it. */
  public record Usage(List<RegistryUsage> hosts) {
    /** Per host that was used after {@code before}: what it counted since. */
    public List<RegistryUsage> since(Usage before) {
      return hosts.stream()
          .map(
              now ->
                  before.hosts.stream()
                      .filter(b -> b.host().equals(now.host()))
                      .findFirst()
                      .map(now::since)
                      .orElse(now))
          .filter(u -> u.requests() > 0 || u.rateLimited() > 0)
          .toList();
    }
  }

  private HostBudget budget(String registry) {
    String host = RegistryRate.canonicalHost(registry);
    return hosts.computeIfAbsent(
        host, h -> new HostBudget(h, rates.getOrDefault(h, 0L), pacesManifests(h)));
  }

  private static void sleep(HostBudget budget, long nanos) {
    if (nanos <= 0) {
      return;
    }
    long start = System.nanoTime();
    Backoff.pause(Duration.ofNanos(nanos));
    long waited = System.nanoTime() - start;
    budget.waited(waited);
    // The image this thread works on (if any) spent that much of its phase waiting.
    ImageMeter.onThisThread().ifPresent(m -> m.carve(ImageMeter.Phase.WAIT_RATE, waited));
    if (Thread.currentThread().isInterrupted()) {
      throw RegistryFailure.failed(
          "waiting for " + budget.host() + "'s request budget: interrupted");
    }
  }

  private static RegistryFailure tooLong(
      String action, String host, long waitNanos, Deadline deadline) {
    return RegistryFailure.rateLimited(
        String.format(
            java.util.Locale.ROOT,
            "%s failed: rate-limited by %s: its request budget asks a wait of %.0f s, past the"
                + " deadline (%.0f s left); rerun later, lower --workers, or mirror the images"
                + " into your own registry",
            action,
            host,
            waitNanos / 1e9,
            deadline.left().toMillis() / 1000.0));
  }
}
