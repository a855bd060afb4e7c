package io.imagefleet.fleet;

import io.imagefleet.ImagefleetException;
import io.imagefleet.PeerFailure;
import io.imagefleet.docker.BuildxCli;
import io.imagefleet.docker.CacheMode;
import io.imagefleet.registry.Platform;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The buildx builder {@code --buildx-builder NAME} names (a remote BuildKit, the kubernetes driver,
 * a hosted builder, or one on this daemon), checked once before the sdist: it exists, it boots, and
 * where it builds. Disk floors, prunes and the daemon's health check apply only when it builds on
 * this daemon; elsewhere the health check asks the builder.
 */
public record NamedBuilder(BuildxCli.Builder builder, boolean onDaemon, List<Platform> platforms) {
  /**
   * How long one look at the builder may take: booting a kubernetes or cloud builder takes a while,
   * but a builder that hangs must not hold the run (or a health check after a failure) for long.
   */
  static final Duration LOOKUP_TIMEOUT = Duration.ofMinutes(3);

  /** The run's first platform: the one earlier stages are built for. */
  public Platform platform() {
    return platforms.get(0);
  }

  public String name() {
    return builder.name();
  }

  /**
   * Looks {@code name} up and boots it: exit 2 when there is no such builder (or no buildx), exit 4
   * when it exists but does not answer; exit 2 when {@code cacheMode} exports registry cache and
   * its driver (docker) can't, or several {@code platforms} and that driver builds one. Images are
   * built for {@code platforms} (--platform): a remote node's own platform may be another.
   */
  public static NamedBuilder check(
      BuildxCli buildx,
      String name,
      Optional<String> dockerHost,
      CacheMode cacheMode,
      List<Platform> platforms) {
    BuildxCli.Lookup lookup = buildx.lookUp(name);
    if (lookup instanceof BuildxCli.Lookup.Missing missing) {
      throw ImagefleetException.invalidInput(
          "--buildx-builder "
              + name
              + ": no such buildx builder ("
              + missing.why()
              + "); docker buildx ls lists the builders, docker buildx create --name "
              + name
              + " --driver remote tcp://HOST:1234 (or docker/setup-buildx-action) makes one");
    }
    if (lookup instanceof BuildxCli.Lookup.Unreachable unreachable) {
      throw new PeerFailure(
          "--buildx-builder "
              + name
              + ": the builder does not answer ("
              + unreachable.why()
              + "); start it or check its endpoint: docker buildx inspect --bootstrap "
              + name);
    }
    BuildxCli.Builder found = ((BuildxCli.Lookup.Ready) lookup).builder();
    if (found.driver().equals("docker")
        && (cacheMode == CacheMode.MIN || cacheMode == CacheMode.MAX)) {
      throw ImagefleetException.invalidInput(
          "--cache-mode "
              + cacheMode.id()
              + " exports registry cache, which builder "
              + name
              + "'s docker driver can't; use --cache-mode off or inline, or a builder of another"
              + " driver");
    }
    if (found.driver().equals("docker") && platforms.size() > 1) {
      throw ImagefleetException.invalidInput(
          "--platform with several platforms needs a builder that builds them; builder "
              + name
              + "'s docker driver builds one: use a docker-container, remote or kubernetes builder,"
              + " or --builder append");
    }
    return new NamedBuilder(found, found.onDaemon(dockerHost), List.copyOf(platforms));
  }

  /** The line build prints once the builder is checked. */
  public String says() {
    return "imagefleet build: buildx builder "
        + builder.name()
        + " (driver "
        + builder.driver()
        + (builder.endpoint().isEmpty() ? "" : ", " + builder.endpoint())
        + "): "
        + (onDaemon
            ? "builds on this Docker daemon; disk floors and prunes apply"
            : "builds elsewhere; no free-disk checks or pruning here");
  }

  /**
   * The tools of a run on this builder when it builds elsewhere: no disk probe or pruner (this
   * machine's disk is not where the images grow), and a failure asks the builder whether it still
   * answers.
   */
  BuildTools elsewhereTools(ImageBuilder imageBuilder, BuildxCli buildx) {
    Health health =
        image ->
            buildx.lookUp(builder.name()) instanceof BuildxCli.Lookup.Ready
                ? Optional.empty()
                : Optional.of("buildx builder " + builder.name() + " at " + endpointOrDriver());
    return new BuildTools(imageBuilder, Optional.empty(), Optional.empty(), health);
  }

  private String endpointOrDriver() {
    return builder.endpoint().isEmpty() ? "(driver " + builder.driver() + ")" : builder.endpoint();
  }
}
