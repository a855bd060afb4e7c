package io.imagefleet.preflight;

import io.imagefleet.docker.BuildxCli;
import io.imagefleet.docker.DockerDaemon;
import io.imagefleet.docker.DockerUsage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Measures, prunes, measures again and decides whether the build may start. */
public final class Preflight {
  private final DockerDaemon daemon;
  private final DiskProbe probe;
  private final BuildxCli buildx;
  private final Optional<ToolchainRemover> toolchains;

  public Preflight(
      DockerDaemon daemon,
      DiskProbe probe,
      BuildxCli buildx,
      Optional<ToolchainRemover> toolchains) {
    this.daemon = daemon;
    this.probe = probe;
    this.buildx = buildx;
    this.toolchains = toolchains;
  }

  public record Options(
      long minFreeBytes,
      long keepBytes,
      List<Path> paths,
      boolean prune,
      boolean aggressive,
      boolean allowUnmeasured) {}

  public PreflightReport run(Options options) {
    DockerDaemon.DaemonInfo info = daemon.info();
    Optional<BuildxCli.Builder> builder = buildx.activeBuilder();
    Optional<BuildxCli.Builder> containerBuilder =
        builder.filter(BuildxCli.Builder::containerDriver);

    List<Measurement> before = measure(options.paths());
    DockerUsage usageBefore = daemon.usage();
    long buildxBefore = containerBuilder.map(buildx::cacheBytes).orElse(0L);

    List<PruneStep> steps = new ArrayList<>();
    if (options.prune()) {
      toolchains.ifPresent(remover -> steps.add(remover.remove(probe)));
      steps.addAll(
          new CachePruner(daemon, buildx, builder)
              .prune(options.aggressive(), options.keepBytes()));
    }
    List<Measurement> after = options.prune() ? measure(options.paths()) : before;
    DockerUsage usageAfter = options.prune() ? daemon.usage() : usageBefore;
    long buildxAfter =
        options.prune() ? containerBuilder.map(buildx::cacheBytes).orElse(0L) : buildxBefore;

    long reclaimed = steps.stream().mapToLong(PruneStep::reclaimedBytes).sum();
    Verdict verdict = verdict(after, options, reclaimed);
    return new PreflightReport(
        daemon.endpoint(),
        info.serverVersion(),
        info.rootDir(),
        before,
        after,
        usageBefore,
        usageAfter,
        describe(builder),
        buildxBefore,
        buildxAfter,
        steps,
        options.minFreeBytes(),
        verdict.passed(),
        verdict.message());
  }

  private List<Measurement> measure(List<Path> paths) {
    List<Measurement> measurements = new ArrayList<>();
    measurements.add(probe.dataRoot());
    paths.forEach(path -> measurements.add(probe.path(path)));
    return measurements;
  }

  /** Whether the build may start, and the message a person reads (and acts on, if not). */
  record Verdict(boolean passed, String message) {}

  private static Verdict verdict(List<Measurement> after, Options options, long reclaimed) {
    for (Measurement m : after) {
      if (!m.measured() && !options.allowUnmeasured()) {
        return new Verdict(
            false,
            "could not measure "
                + m.label()
                + " ("
                + m.path()
                + "): "
                + m.problem()
                + "; fix that, or pass --allow-unmeasured to go on without it");
      }
    }
    Optional<DiskSpace> root = after.get(0).space();
    if (root.isEmpty()) {
      return new Verdict(
          true, "data root not measured (--allow-unmeasured); free space not checked");
    }
    DiskFloor.Verdict floor =
        new DiskFloor(options.minFreeBytes(), options.keepBytes()).verdict(root.get(), reclaimed);
    return new Verdict(floor.passed(), floor.message());
  }

  private static String describe(Optional<BuildxCli.Builder> builder) {
    if (builder.isEmpty()) {
      return "not installed; only the daemon's builder is pruned";
    }
    BuildxCli.Builder b = builder.get();
    return b.containerDriver()
        ? "builder " + b.name() + " (docker-container) pruned with docker buildx prune"
        : "builder " + b.name() + " uses driver " + b.driver() + "; its cache is the daemon's";
  }
}
