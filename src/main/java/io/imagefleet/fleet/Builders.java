package io.imagefleet.fleet;

import io.imagefleet.ImagefleetException;
import io.imagefleet.docker.BuildxCli;
import io.imagefleet.docker.CacheMode;
import io.imagefleet.docker.DockerDaemon;
import io.imagefleet.registry.Credentials;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Picks the image builder: buildx when asked or, with auto, when the CLI has it; else the engine.
 */
public final class Builders {
  /** The builder imagefleet creates when registry cache export needs one. */
  static final String CACHE_BUILDER = "imagefleet";

  private Builders() {}

  /**
   * Registry cache export (min, max) needs a docker-container builder. When the active one isn't,
   * imagefleet uses (and the first time creates) its own.
   */
  static Optional<String> registryCacheBuilder(
      String dockerCli, Map<String, String> env, CacheMode cacheMode) {
    if (cacheMode != CacheMode.MIN && cacheMode != CacheMode.MAX) {
      return Optional.empty();
    }
    BuildxCli cli = new BuildxCli(dockerCli, env, Duration.ofMinutes(5));
    if (cli.activeBuilder().filter(BuildxCli.Builder::containerDriver).isPresent()) {
      return Optional.empty();
    }
    if (cli.builder(CACHE_BUILDER).isEmpty()) {
      try {
        cli.createContainerBuilder(CACHE_BUILDER);
      } catch (IllegalStateException e) {
        throw ImagefleetException.invalidInput(
            "--cache-mode "
                + cacheMode.id()
                + " needs a docker-container buildx builder and none could be created ("
                + e.getMessage()
                + "); use --cache-mode off or inline, or set one up (docker/setup-buildx-action)");
      }
    }
    return Optional.of(CACHE_BUILDER);
  }

  public static ImageBuilder choose(
      String kind,
      DockerDaemon daemon,
      Credentials credentials,
      String dockerCli,
      Map<String, String> env,
      CacheMode cacheMode) {
    boolean buildx = BuildxImageBuilder.available(dockerCli, env);
    if (kind.equals("buildx") && !buildx) {
      throw ImagefleetException.invalidInput(
          "--builder buildx: '"
              + dockerCli
              + " buildx' is not available; install the buildx plugin or use --builder engine");
    }
    return kind.equals("engine") || (kind.equals("auto") && !buildx)
        ? new EngineImageBuilder(daemon, credentials)
        : new BuildxImageBuilder(dockerCli, env, registryCacheBuilder(dockerCli, env, cacheMode));
  }

  /**
   * The builder pushing {@code attestations} with each image. Only buildx makes them: with the
   * engine builder anything but none is exit 2 naming the option.
   */
  public static ImageBuilder withAttestations(ImageBuilder builder, Attestations attestations) {
    if (attestations == Attestations.NONE) {
      return builder;
    }
    if (builder instanceof BuildxImageBuilder buildx) {
      return buildx.withAttestations(attestations);
    }
    throw ImagefleetException.invalidInput(
        "--attestations "
            + attestations.id()
            + " needs buildx; the "
            + builder.name()
            + " builder pushes no attestations. Use --builder buildx, or --attestations none");
  }

  /** Secrets need BuildKit, which the engine builder can't reach through the API: exit 2. */
  public static void requireSecretSupport(ImageBuilder builder, List<String> secrets) {
    if (!secrets.isEmpty()
        && builder.buildxBuilder().isEmpty()
        && builder.name().equals("engine")) {
      throw ImagefleetException.invalidInput(
          "--secret needs BuildKit, which the engine builder can't reach through the API;"
              + " use --builder buildx (docker/setup-buildx-action)");
    }
  }
}
