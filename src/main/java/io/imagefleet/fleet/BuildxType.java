package io.imagefleet.fleet;

import io.imagefleet.ImagefleetException;
import io.imagefleet.append.dockerfile.Dockerfile;
import io.imagefleet.docker.BuildxCli;
import io.imagefleet.docker.CacheMode;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** {@code --builder buildx}: {@code docker buildx build} per image, pushed by buildx itself. */
final class BuildxType implements BuilderType {
  /** The builder imagefleet creates when registry cache export needs one. */
  static final String CACHE_BUILDER = "imagefleet";

  /**
   * Registry cache export (min, max) needs a docker-container builder. When the active one isn't,
   * imagefleet uses (and the first time creates) its own.
   */
  static Optional<String> registryCacheBuilder(
      String dockerCli, Map<String, String> env, CacheMode cacheMode) {
    if (cacheMode != CacheMode.MIN && cacheMode != CacheMode.MAX) {
      return Optional.empty();
    }
    return containerBuilder(
        dockerCli, env, "--cache-mode " + cacheMode.id(), "use --cache-mode off or inline");
  }

  /**
   * A docker-container builder for what {@code option} asks (the docker driver can't export a
   * registry cache or build several platforms): empty when the active builder is one, else
   * imagefleet's own, created the first time; exit 2 naming {@code option} and {@code fix} when
   * none can be.
   */
  static Optional<String> containerBuilder(
      String dockerCli, Map<String, String> env, String option, String fix) {
    BuildxCli cli = new BuildxCli(dockerCli, env, Duration.ofMinutes(5));
    if (cli.activeBuilder().filter(BuildxCli.Builder::containerDriver).isPresent()) {
      return Optional.empty();
    }
    if (cli.builder(CACHE_BUILDER).isEmpty()) {
      try {
        cli.createContainerBuilder(CACHE_BUILDER);
      } catch (IllegalStateException e) {
        throw ImagefleetException.invalidInput(
            option
                + " needs a docker-container buildx builder and none could be created ("
                + e.getMessage()
                + "); "
                + fix
                + ", or set one up (docker/setup-buildx-action)");
      }
    }
    return Optional.of(CACHE_BUILDER);
  }

  @Override
  public String id() {
    return "buildx";
  }

  @Override
  public Capabilities capabilities() {
    return new Capabilities(false, true, true, false, true, true);
  }

  @Override
  public Optional<Refusal> refuses(BuilderContext run) {
    if (BuildxImageBuilder.available(run.docker().cli(), run.docker().environment())) {
      return Optional.empty();
    }
    return Optional.of(
        new Refusal(
            "--builder buildx: '"
                + run.docker().cli()
                + " buildx' is not available; install the buildx plugin or use --builder engine",
            "no buildx"));
  }

  /**
   * The builder and, when it builds on this daemon, the daemon's disk probe, pruner and ping; a
   * builder --buildx-builder named elsewhere gets none of them and no daemon is connected.
   */
  @Override
  public BuildTools prepare(BuilderContext run, BuildInputs inputs) {
    if (run.settings().multiPlatform()
        && inputs.plan().stream().anyMatch(p -> p.baseImage().contains(BaseImageRule.ARCH))) {
      throw ImagefleetException.invalidInput(
          "--builder buildx builds every platform from one base, and the base names {arch}; use"
              + " --builder append to combine single-platform bases, or a multi-platform base");
    }
    BuildxImageBuilder builder = builder(run, run.settings().multiPlatform());
    if (run.settings().multiPlatform()) {
      Dockerfile.firstRun(AppendSetup.dockerfileText(run.settings()), true)
          .flatMap(
              line ->
                  CommandPlatforms.buildx(run, builder.buildxBuilder())
                      .lacking(
                          run.settings().platforms(),
                          "the Dockerfile (line " + line.line() + ": " + line + ")"))
          .ifPresent(
              why -> {
                throw ImagefleetException.invalidInput(why);
              });
    }
    return tools(run, builder);
  }

  /**
   * The tools for images built one platform each, the platform named by each job (phased's env
   * images): any builder that builds a platform will do, the docker driver too.
   */
  BuildTools perJobPlatform(BuilderContext run) {
    return tools(run, builder(run, false));
  }

  private static BuildTools tools(BuilderContext run, BuildxImageBuilder builder) {
    return run.namedBuilder()
        .filter(named -> !named.onDaemon())
        .map(
            named ->
                named.elsewhereTools(builder, run.docker().buildx(NamedBuilder.LOOKUP_TIMEOUT)))
        .orElseGet(() -> run.onDaemon(builder));
  }

  /**
   * The image builder alone: on the builder --buildx-builder named, else on the one registry cache
   * export needs.
   */
  BuildxImageBuilder builder(BuilderContext run) {
    return builder(run, run.settings().multiPlatform());
  }

  private static BuildxImageBuilder builder(BuilderContext run, boolean runPlatforms) {
    Optional<NamedBuilder> named = run.namedBuilder();
    if (named.isPresent()) {
      return new BuildxImageBuilder(
          run.docker().cli(),
          run.docker().environment(),
          named.get(),
          run.options().attestations(),
          runPlatforms ? run.settings().platforms() : List.of(run.settings().platforms().get(0)));
    }
    Optional<String> builder =
        registryCacheBuilder(
            run.docker().cli(), run.docker().environment(), run.options().cacheMode());
    if (builder.isEmpty() && runPlatforms) {
      builder =
          containerBuilder(
              run.docker().cli(),
              run.docker().environment(),
              "--platform with several platforms",
              "use --builder append");
    }
    return new BuildxImageBuilder(
        run.docker().cli(),
        run.docker().environment(),
        builder,
        run.options().attestations(),
        runPlatforms ? run.settings().platforms() : List.of());
  }
}
