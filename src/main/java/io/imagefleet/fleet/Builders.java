package io.imagefleet.fleet;

import io.imagefleet.ImagefleetException;
import io.imagefleet.append.dockerfile.NotAppendable;
import io.imagefleet.docker.BuildxCli;
import io.imagefleet.docker.CacheMode;
import io.imagefleet.docker.DockerDaemon;
import io.imagefleet.registry.Credentials;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Picks the image builder: append when asked or, with auto, when the Dockerfile qualifies (and the
 * run pushes); else buildx when asked or, with auto, when the CLI has it; else the engine.
 */
public final class Builders {
  public static final String APPEND_NO_PUSH =
      "--builder append assembles images in the registry; drop --no-push or use --builder engine";

  static final String PHASED_NO_PUSH =
      "--builder phased keeps env images in the registry and appends to them there; drop"
          + " --no-push or use --builder engine";

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

  /**
   * What {@code --builder} comes to, decided once per run before the sdist or anything else is
   * built: {@code kind} is append, or what to hand {@link #choose} (auto, buildx, engine); {@code
   * notAppend} says why auto did not take append.
   */
  public record Choice(BuilderKind kind, Optional<String> notAppend) {
    public boolean append() {
      return kind == BuilderKind.APPEND;
    }

    public boolean phased() {
      return kind == BuilderKind.PHASED;
    }
  }

  /**
   * Explicit append or phased that can't be (with --no-push, --secret, or a Dockerfile that needs
   * the daemon per image) exits 2 naming why; auto takes append when the Dockerfile allows it, else
   * phased (an env image per base, the rest appended), else falls back to the daemon's builders.
   */
  public static Choice decide(BuilderKind kind, BuildSettings settings, String sdkCommit) {
    if (!kind.readsBases() && kind != BuilderKind.AUTO) {
      return new Choice(kind, Optional.empty());
    }
    boolean explicit = kind != BuilderKind.AUTO;
    if (!settings.push()) {
      return notAppend(
          explicit,
          kind == BuilderKind.PHASED ? PHASED_NO_PUSH : APPEND_NO_PUSH,
          "--no-push builds locally");
    }
    if (!settings.secrets().isEmpty() && kind != BuilderKind.PHASED) {
      return notAppend(
          explicit,
          "--builder append builds no RUN step per image, so --secret has no use there; drop"
              + " --secret or use --builder buildx",
          "--secret needs BuildKit");
    }
    String notAppend = null;
    if (kind != BuilderKind.PHASED) {
      try {
        // The sdist's real name is known only once it is built; the layer's plan uses it then.
        AppendSetup.plan(settings, "agent.tar.gz", sdkCommit);
        return new Choice(BuilderKind.APPEND, Optional.empty());
      } catch (NotAppendable e) {
        if (kind == BuilderKind.APPEND) {
          throw e;
        }
        notAppend = e.getMessage();
      }
    }
    try {
      PhasedSetup.plan(settings, "agent.tar.gz", sdkCommit);
      return new Choice(BuilderKind.PHASED, Optional.ofNullable(notAppend));
    } catch (NotAppendable e) {
      if (explicit) {
        throw e;
      }
      return new Choice(BuilderKind.AUTO, Optional.of(notAppend));
    }
  }

  private static Choice notAppend(boolean explicit, String message, String reason) {
    if (explicit) {
      throw ImagefleetException.invalidInput(message);
    }
    return new Choice(BuilderKind.AUTO, Optional.of(reason));
  }

  public static ImageBuilder choose(
      BuilderKind kind,
      DockerDaemon daemon,
      Credentials credentials,
      String dockerCli,
      Map<String, String> env,
      CacheMode cacheMode) {
    boolean buildx = BuildxImageBuilder.available(dockerCli, env);
    if (kind == BuilderKind.BUILDX && !buildx) {
      throw ImagefleetException.invalidInput(
          "--builder buildx: '"
              + dockerCli
              + " buildx' is not available; install the buildx plugin or use --builder engine");
    }
    return kind == BuilderKind.ENGINE || (kind == BuilderKind.AUTO && !buildx)
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
        && builder.kind() == BuilderKind.ENGINE) {
      throw ImagefleetException.invalidInput(
          "--secret needs BuildKit, which the engine builder can't reach through the API;"
              + " use --builder buildx (docker/setup-buildx-action)");
    }
  }
}
