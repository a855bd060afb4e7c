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
 * existence HEAD per image to do at the target. Append per image built: the base's manifest and
 * config GET, then a config upload and a manifest PUT at the target. Phased: the env image's HEAD,
 * manifest and config GET and the tail's two puts at the target, and the daemon's pull of each
 * base. With two or more platforms append does its part per platform ({@code PlatformIndex}), each
 * platform's base read where it lives: an {@code {arch}} base (one per platform) costs its manifest
 * and config, a shared base (an index) its index, the platform's child and the config; phased does
 * its part per platform, each platform's base image pinned (one GET, an image's config too) and
 * pulled once a run; both add one index PUT per image. The daemon's builders pull each base once, a
 * multi-platform one as its index and a child per platform. A registry that takes no blob in one
 * POST adds a PUT per config, not counted. Then how long each registry's budget makes that.
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
    boolean several = platforms.size() > 1;
    BuilderType.Capabilities can = choice.type().capabilities();
    // the bases the daemon pulls, each once a run, with the platforms it is pulled for
    Map<String, Set<Platform>> pulls = new LinkedHashMap<>();
    // phased with several platforms: each platform's base image pinned once a run, then pulled
    Map<String, Boolean> pins = new LinkedHashMap<>();
    for (PlannedImage p : toBuild) {
      String target = p.image().registry();
      Map<Platform, String> bases = new LinkedHashMap<>();
      platforms.forEach(
          platform -> bases.put(platform, platformBase.apply(p.baseImage(), platform)));
      boolean named = bases.values().stream().distinct().count() > 1;
      if (can.readsBases() && !can.needsDaemon() && several) {
        // named ({arch}): the manifest and the config; shared: the index, a child, the config
        bases
            .values()
            .forEach(base -> demand.add(baseRegistry(base), named ? 2 : 3, named ? 1 : 2));
        demand.add(target, 2L * platforms.size() + 1, 0);
      } else if (can.readsBases() && !can.needsDaemon()) {
        demand.add(baseRegistry(p.baseImage()), 2, 1);
        demand.add(target, 2, 0);
      } else if (can.readsBases() && several) {
        // per platform the env image's HEAD, manifest and config, the tail's two puts; the index
        demand.add(target, 5L * platforms.size() + 1, platforms.size());
        bases.forEach((platform, base) -> pins.put(base + " " + platform, named));
      } else if (can.readsBases()) {
        demand.add(target, 5, 1);
        pulls.computeIfAbsent(p.baseImage(), b -> new LinkedHashSet<>()).addAll(platforms);
      } else {
        bases.forEach(
            (platform, base) ->
                pulls.computeIfAbsent(base, b -> new LinkedHashSet<>()).add(platform));
      }
    }
    pulls.forEach(
        (base, pulled) -> {
          // an index pulled for several platforms: it, then a child per platform
          long manifests = pulled.size() > 1 ? 1 + pulled.size() : 1;
          demand.add(baseRegistry(base), manifests, manifests);
        });
    pins.forEach(
        (pin, named) -> {
          // the tag's manifest (an image's config too), then the env build's pull of that image
          Optional<String> host = baseRegistry(pin.substring(0, pin.indexOf(' ')));
          demand.add(host, named ? 3 : 2, 2);
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
