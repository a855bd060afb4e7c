package io.imagefleet.fleet;

import io.imagefleet.ImagefleetException;
import io.imagefleet.append.dockerfile.PhasedPlan;
import io.imagefleet.docker.DockerDaemon;
import io.imagefleet.registry.Platform;
import io.imagefleet.registry.RegistryClient;
import io.imagefleet.sdist.SdistCache;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.function.Supplier;

/**
 * What a phased run does once, before any image: split the Dockerfile ({@link PhasedPlan}), say
 * where, prepare the appended tail as an append run does ({@link AppendSetup}), and key the env
 * images. The env images themselves are built per base, by the daemon's builder, when missing.
 */
public final class PhasedSetup {
  private final BuildSettings settings;
  private final PrintWriter err;
  private final AppendSetup tail;

  /**
   * @param cacheDir where the tail's stage exports and layer are kept ({@link AppendSetup})
   */
  public PhasedSetup(BuildSettings settings, PrintWriter err, Path cacheDir) {
    this(settings, err, new AppendSetup(settings, err, cacheDir));
  }

  private PhasedSetup(BuildSettings settings, PrintWriter err, AppendSetup tail) {
    this.settings = settings;
    this.err = err;
    this.tail = tail;
  }

  /**
   * The same setup building the tail's earlier stages on the builder {@code --buildx-builder} named
   * (the env images go there through the daemon tools' builder already).
   */
  public PhasedSetup onBuildx(
      Optional<NamedBuilder> named, String dockerCli, java.util.Map<String, String> environment) {
    return new PhasedSetup(settings, err, tail.onBuildx(named, dockerCli, environment));
  }

  /**
   * The Dockerfile split with the run's build args.
   *
   * @throws io.imagefleet.append.NotAppendable when no split leaves something to append
   */
  public static PhasedPlan plan(BuildSettings settings, String sdistName, String sdkCommit) {
    Optional<String> target = Optional.of(settings.target()).filter(t -> !t.isEmpty());
    return PhasedPlan.split(
        AppendSetup.dockerfileText(settings),
        target,
        AppendSetup.args(settings, sdistName, sdkCommit));
  }

  /**
   * The run's tools: {@code daemonTools}' builder makes the env images (and its disk probe, pruner
   * and health check keep watch, as for the engine), the tail is appended in the registry; {@code
   * daemon} is asked for only when the tail has an earlier stage to build there.
   */
  public BuildTools tools(
      BuildTools daemonTools,
      Supplier<? extends DockerDaemon> daemon,
      SdistCache.Sdist sdist,
      String sdkCommit,
      RegistryClient registry,
      Platform platform,
      BiFunction<String, Platform, String> platformBase) {
    String sdistName = sdist.file().getFileName().toString();
    PhasedPlan plan = plan(settings, sdistName, sdkCommit);
    err.println(
        "imagefleet build: phased: an env image per base from the Dockerfile up to line "
            + plan.splitLine()
            + " (built "
            + daemonTools
                .builder()
                .unmeasuredDisk()
                .flatMap(elsewhere -> daemonTools.builder().buildxBuilder())
                .map(name -> "on buildx builder " + name)
                .orElse("through the daemon")
            + " when missing, reused by its key); the rest is appended in the registry");
    plan.perCommitUse()
        .ifPresent(
            use ->
                err.println(
                    "imagefleet build: phased: the env stage uses SDIST or SDK_COMMIT ("
                        + use
                        + "): it is rebuilt every SDK commit; copy the agent from a builder stage"
                        + " instead"));
    AppendImageBuilder tail =
        this.tail.builder(
            plan.tail(), sdist.file(), sdkCommit, daemon, registry.transport(), platform);
    String sdistDigest;
    try {
      sdistDigest = "sha256:" + Retagger.sha256(sdist.file());
    } catch (IOException e) {
      throw ImagefleetException.invalidInput(
          "cannot read the sdist " + sdist.file() + ": " + e.getMessage());
    }
    PhasedImageBuilder.EnvKeys keys =
        new PhasedImageBuilder.EnvKeys(
            plan,
            AppendSetup.args(settings, sdistName, sdkCommit),
            sdistDigest,
            platform.toString(),
            registry);
    PhasedImageBuilder.Platforms several =
        new PhasedImageBuilder.Platforms(
            settings.platforms(),
            settings.missingPlatform(),
            platformBase,
            bases ->
                tail.forPlatforms(
                    settings.platforms(), settings.missingPlatform(), (base, p) -> bases.get(p)));
    return new BuildTools(
        new PhasedImageBuilder(daemonTools.builder(), tail, keys, registry)
            .forPlatforms(several)
            .forPlatform(platform, AppendType.machineArchitecture()),
        daemonTools.probe(),
        daemonTools.pruner(),
        daemonTools.health());
  }
}
