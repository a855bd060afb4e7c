package io.imagefleet.fleet;

import io.imagefleet.registry.ImageReference;
import io.imagefleet.registry.RegistryBudgets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * What a plan asks of each registry, estimated for {@code --dry-run}: an existence HEAD per image
 * to do at the target; for append a base manifest and config GET per image built; for phased an env
 * image's manifest and config GET per image and a pull per base; for the daemon's builders a pull
 * (a manifest GET) per base. Then how long each registry's budget makes that.
 */
final class RegistryDemand {
  /** Past this, the dry run says what to do about a budget. */
  static final Duration SLOW = Duration.ofMinutes(10);

  record Host(String host, long requests, long manifestGets) {
    Host plus(Host other) {
      return new Host(host, requests + other.requests, manifestGets + other.manifestGets);
    }
  }

  private final Map<String, Host> hosts = new TreeMap<>();

  /**
   * @param checked images whose tag is looked up (not done, not forced)
   * @param toBuild images the run would build
   */
  static RegistryDemand of(
      List<PlannedImage> checked, List<PlannedImage> toBuild, BuilderTypes.Choice choice) {
    RegistryDemand demand = new RegistryDemand();
    checked.forEach(p -> demand.add(p.image().registry(), 1, 0));
    Set<String> bases = new LinkedHashSet<>();
    for (PlannedImage p : toBuild) {
      BuilderType.Capabilities can = choice.type().capabilities();
      if (can.readsBases() && !can.needsDaemon()) {
        demand.add(baseRegistry(p), 2, 1);
      } else if (can.readsBases()) {
        demand.add(p.image().registry(), 2, 1);
        bases.add(p.baseImage());
      } else {
        bases.add(p.baseImage());
      }
    }
    for (String base : bases) {
      baseRegistry(base).ifPresent(host -> demand.add(host, 1, 1));
    }
    return demand;
  }

  private void add(Optional<String> host, long requests, long manifestGets) {
    host.ifPresent(h -> add(h, requests, manifestGets));
  }

  private void add(String host, long requests, long manifestGets) {
    hosts.merge(host, new Host(host, requests, manifestGets), Host::plus);
  }

  private static Optional<String> baseRegistry(PlannedImage p) {
    return baseRegistry(p.baseImage());
  }

  /** A base that is no valid reference fails its own image; it asks nothing of a registry. */
  private static Optional<String> baseRegistry(String base) {
    try {
      return Optional.of(ImageReference.parse(base).registry());
    } catch (RuntimeException e) {
      return Optional.empty();
    }
  }

  List<Host> hosts() {
    return List.copyOf(hosts.values());
  }

  /**
   * One line per registry: requests and manifest GETs, the budget and how long it makes them, and
   * when that is slow, what to do.
   */
  List<String> lines(RegistryBudgets budgets) {
    List<String> lines = new ArrayList<>();
    for (Host h : hosts.values()) {
      StringBuilder line =
          new StringBuilder(
              String.format(
                  Locale.ROOT,
                  "registry %s: %d requests, %d manifest GETs",
                  h.host(),
                  h.requests(),
                  h.manifestGets()));
      Optional<Long> rate = budgets.perMinute(h.host());
      Duration byRate =
          rate.map(r -> Duration.ofMillis(h.requests() * 60_000 / r)).orElse(Duration.ZERO);
      rate.ifPresent(r -> line.append(" at ").append(r).append("/min ≈ ").append(human(byRate)));
      if (budgets.pacesManifests(h.host()) && h.manifestGets() > 0) {
        Duration byPulls =
            RegistryBudgets.DOCKER_HUB_WINDOW
                .multipliedBy(h.manifestGets())
                .dividedBy(RegistryBudgets.DOCKER_HUB_PULLS);
        line.append(
            String.format(
                Locale.ROOT,
                "; %d base manifests from %s at %d/%dh ≈ %s",
                h.manifestGets(),
                h.host(),
                RegistryBudgets.DOCKER_HUB_PULLS,
                RegistryBudgets.DOCKER_HUB_WINDOW.toHours(),
                human(byPulls)));
        if (byPulls.compareTo(SLOW) > 0) {
          line.append(
              "; mirror them once: imagefleet mirror --to REPO, then build --base-mirror REPO");
        }
      } else if (byRate.compareTo(SLOW) > 0) {
        line.append("; raise --registry-rate if the registry allows more, or split the run");
      }
      lines.add(line.toString());
    }
    return lines;
  }

  static String human(Duration d) {
    long s = d.toSeconds();
    if (s < 120) {
      return s + " s";
    }
    if (s < 2 * 3600) {
      return Math.round(s / 60.0) + " min";
    }
    return Math.round(s / 3600.0) + " h";
  }
}
