package io.imagefleet.fleet;

import io.imagefleet.docker.BuildxCli;
import io.imagefleet.docker.DockerDaemon;
import io.imagefleet.preflight.CachePruner;
import io.imagefleet.preflight.DiskProbe;
import java.util.Optional;

/**
 * What a build run builds with: the image builder, and (when there is a daemon to ask) the disk
 * probe and cache pruner for the running disk floor, and the health check of what it needs.
 */
public record BuildTools(
    ImageBuilder builder, Optional<DiskProbe> probe, Optional<CachePruner> pruner, Health health) {

  /**
   * The tools on a connected daemon: for the disk checks, the probe measures and the pruner prunes
   * the cache of the builder the images are built on; health is the daemon's ping.
   */
  public static BuildTools on(
      DockerDaemon daemon, ImageBuilder builder, DiskProbe probe, BuildxCli buildx) {
    CachePruner pruner =
        new CachePruner(
            daemon,
            buildx,
            builder.buildxBuilder().flatMap(buildx::builder).or(buildx::activeBuilder));
    return new BuildTools(
        builder,
        Optional.of(probe),
        Optional.of(pruner),
        image ->
            daemon.ping()
                ? Optional.empty()
                : Optional.of("Docker daemon at " + daemon.endpoint()));
  }
}
