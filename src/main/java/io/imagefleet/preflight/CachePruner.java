package io.imagefleet.preflight;

import io.imagefleet.docker.BuildxCli;
import io.imagefleet.docker.DockerDaemon;
import io.imagefleet.docker.Units;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * Frees Docker disk, least harmful first: stopped containers, dangling images, build cache down to
 * a target (the daemon's, and a docker-container buildx builder's), and with {@code aggressive}
 * every unused image. The build calls {@link #pruneBuildCache} between batches.
 */
public final class CachePruner {
  private final DockerDaemon daemon;
  private final BuildxCli buildx;
  private final Optional<BuildxCli.Builder> builder;

  /**
   * {@code builder} is the active buildx builder, if any; only a docker-container one is pruned.
   */
  public CachePruner(DockerDaemon daemon, BuildxCli buildx, Optional<BuildxCli.Builder> builder) {
    this.daemon = daemon;
    this.buildx = buildx;
    this.builder = builder.filter(BuildxCli.Builder::containerDriver);
  }

  public List<PruneStep> prune(boolean aggressive, long keepBytes) {
    List<PruneStep> steps = new ArrayList<>();
    steps.add(timed("stopped containers", daemon::pruneStoppedContainers, ""));
    steps.add(timed("dangling images", () -> daemon.pruneImages(false), ""));
    steps.addAll(pruneBuildCache(keepBytes));
    if (aggressive) {
      steps.add(timed("unused images", () -> daemon.pruneImages(true), "--aggressive"));
    }
    return steps;
  }

  /**
   * Prunes build cache to {@code keepBytes}. Reclaimed bytes are measured (size before minus size
   * after), not taken from the prune's own claim.
   */
  public List<PruneStep> pruneBuildCache(long keepBytes) {
    List<PruneStep> steps = new ArrayList<>();
    String keep = "keep " + Units.gib(keepBytes);
    steps.add(
        measured(
            "build cache (daemon)",
            () -> daemon.usage().buildCache(),
            () -> daemon.pruneBuildCache(keepBytes),
            keep));
    builder.ifPresent(
        b ->
            steps.add(
                measured(
                    "build cache (buildx " + b.name() + ")",
                    () -> buildx.cacheBytes(b),
                    () -> {
                      buildx.prune(b, keepBytes);
                      return 0;
                    },
                    keep + ", " + BuildxCli.keepFlag(b.buildxVersion()))));
    return steps;
  }

  private static PruneStep timed(String name, LongSupplier action, String detail) {
    long start = System.nanoTime();
    long reclaimed = action.getAsLong();
    return new PruneStep(name, reclaimed, seconds(start), detail);
  }

  private static PruneStep measured(
      String name, LongSupplier size, LongSupplier action, String detail) {
    long start = System.nanoTime();
    long before = size.getAsLong();
    action.getAsLong();
    long after = size.getAsLong();
    return new PruneStep(name, Math.max(0, before - after), seconds(start), detail);
  }

  static double seconds(long startNanos) {
    return Math.round((System.nanoTime() - startNanos) / 1e7) / 100.0;
  }
}
