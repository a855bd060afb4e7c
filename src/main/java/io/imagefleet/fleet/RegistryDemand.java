package io.imagefleet.fleet;

import io.imagefleet.registry.ImageReference;
import io.imagefleet.registry.Platform;
import io.imagefleet.registry.RegistryBudgets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.BiFunction;

/**
 * What a plan asks of each registry, estimated for {@code --dry-run}, as the builders ask it: an
 * existence HEAD per image to do at the target. Append (and phased's tail) per image built: the
 * base's manifest and config GET, a config upload and a manifest PUT at the target; phased reads
 * its env image's manifest and config at the target and pulls each base. With two or more platforms
 * append does that per platform ({@code PlatformIndex}), each platform's base read where it lives:
 * an {@code {arch}} base (one per platform) costs a HEAD, its manifest and its config; a shared
 * base, an index, its index, the platform's child and the config; then one index PUT. The daemon's
 * builders pull (a manifest GET) each base once, a multi-platform one as its index and a child per
 * platform. A registry that takes no blob in one POST adds a PUT per config. Then how long each
 * registry's budget makes that.
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
   * @param platforms {@code --platform}'s; two or more make each image an index
   * @param platformBase a platform's base of a planned base ({@link BaseImageRule#platformBase})
   */
  static RegistryDemand of(
      List<PlannedImage> checked,
      List<PlannedImage> toBuild,
      BuilderTypes.Choice choice,
      List<Platform> platforms,
      BiFunction<String, Platform, String> platformBase) {
    RegistryDemand demand = new RegistryDemand();
    checked.forEach(p -> demand.add(p.image().registry(), 1, 0));
    List<Platform> each = platforms.size() > 1 ? platforms : List.of();
    BuilderType.Capabilities can = choice.type().capabilities();
    // the bases the daemon pulls, each once a run, with the platforms it is pulled for
    Map<String, Set<Platform>> pulls = new LinkedHashMap<>();
    for (PlannedImage p : toBuild) {
      String target = p.image().registry();
      if (can.readsBases() && !can.needsDaemon() && !each.isEmpty()) {
        Set<String> bases = new LinkedHashSet<>();
        each.forEach(platform -> bases.add(platformBase.apply(p.baseImage(), platform)));
        boolean named = bases.size() > 1;
        // named ({arch}): a HEAD, the manifest, the config; shared: the index, a child, the config
        for (Platform platform : each) {
          demand.add(baseRegistry(platformBase.apply(p.baseImage(), platform)), 3, named ? 1 : 2);
        }
        demand.add(target, 2L * each.size() + 1, 0);
      } else if (can.readsBases() && !can.needsDaemon()) {
        demand.add(baseRegistry(p.baseImage()), 2, 1);
        demand.add(target, 2, 0);
      } else {
        if (can.readsBases()) {
          demand.add(target, 4, 1);
        }
        for (Platform platform : platforms) {
          pulls
              .computeIfAbsent(
                  platformBase.apply(p.baseImage(), platform), b -> new LinkedHashSet<>())
              .add(platform);
        }
      }
    }
    pulls.forEach(
        (base, pulled) -> {
          // an index pulled for several platforms: it, then a child per platform
          long manifests = pulled.size() > 1 ? 1 + pulled.size() : 1;
          demand.add(baseRegistry(base), manifests, manifests);
        });
    return demand;
  }

  private void add(Optional<String> host, long requests, long manifestGets) {
    host.ifPresent(h -> add(h, requests, manifestGets));
  }

  private void add(String host, long requests, long manifestGets) {
    hosts.merge(host, new Host(host, requests, manifestGets), Host::plus);
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
