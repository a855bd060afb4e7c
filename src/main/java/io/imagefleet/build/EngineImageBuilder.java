package io.imagefleet.build;

import io.imagefleet.docker.DockerDaemon;
import io.imagefleet.docker.EngineBuild;
import io.imagefleet.registry.Credentials;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * Builds and pushes through the Engine API. The base image the build pulled and the final image are
 * removed afterwards, so local disk stays proportional to the workers, not to the images built.
 */
final class EngineImageBuilder implements ImageBuilder {
  private final DockerDaemon daemon;
  private final Credentials credentials;

  EngineImageBuilder(DockerDaemon daemon, Credentials credentials) {
    this.daemon = daemon;
    this.credentials = credentials;
  }

  @Override
  public String name() {
    return "engine";
  }

  @Override
  public Optional<String> build(ImageJob job, Path log, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    boolean baseWasLocal = daemon.imageExists(job.baseImage());
    String reference = job.image().toString();
    try {
      daemon.buildImage(
          new EngineBuild(
              job.context(),
              job.dockerfile(),
              reference,
              job.target(),
              job.buildArgs(),
              job.network()),
          log,
          timeout);
      if (!job.push()) {
        return Optional.empty();
      }
      Duration left = Duration.ofNanos(Math.max(1_000_000_000L, deadline - System.nanoTime()));
      return Optional.of(
          daemon.pushImage(
              job.image().repositoryName(),
              job.image().tag(),
              credentials.forRegistry(job.image().registry()),
              log,
              left));
    } finally {
      daemon.removeImage(reference);
      if (!baseWasLocal) {
        daemon.removeImage(job.baseImage());
      }
    }
  }
}
