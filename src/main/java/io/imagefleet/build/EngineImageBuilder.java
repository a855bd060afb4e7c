package io.imagefleet.build;

import io.imagefleet.docker.DockerDaemon;
import io.imagefleet.docker.EngineBuild;
import io.imagefleet.docker.StepFailure;
import io.imagefleet.registry.Credentials;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Builds and pushes through the Engine API. Final images and the base a build pulled are removed
 * when the base's last in-flight user is done, so local disk stays proportional to the workers, and
 * no worker removes what another one still builds on.
 */
final class EngineImageBuilder implements ImageBuilder {
  private final DockerDaemon daemon;
  private final Credentials credentials;
  private final Map<String, Integer> baseUsers = new HashMap<>();
  private final Set<String> pulledBases = new HashSet<>();
  private final Map<String, List<String>> finalImages = new HashMap<>();

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
    String reference = job.image().toString();
    acquire(job.baseImage());
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
      release(job.baseImage(), reference);
    }
  }

  /** Counts a user of the base; the first user notes whether the base was there before the run. */
  private synchronized void acquire(String base) {
    int users = baseUsers.getOrDefault(base, 0);
    if (users == 0 && !pulledBases.contains(base) && !exists(base)) {
      pulledBases.add(base);
    }
    baseUsers.put(base, users + 1);
  }

  /**
   * Images on one base are built from the same inputs, so one build's cache hits are another's
   * layers: removing a final image (and its untagged parents) while another build on that base is
   * in flight pulls layers from under it. So final images wait for the base's last user; then they
   * go, by tag, and so does the base if the run pulled it.
   */
  private void release(String base, String finalImage) {
    synchronized (this) {
      finalImages.computeIfAbsent(base, b -> new ArrayList<>()).add(finalImage);
      int users = baseUsers.merge(base, -1, Integer::sum);
      if (users > 0) {
        return;
      }
      baseUsers.remove(base);
      // Still under the lock: a new user of this base waits until these are gone.
      finalImages.remove(base).forEach(this::removeQuietly);
      if (pulledBases.remove(base)) {
        removeQuietly(base);
      }
    }
  }

  private boolean exists(String base) {
    try {
      return daemon.imageExists(base);
    } catch (StepFailure e) {
      return true; // Unknown: keep it rather than remove something the run did not bring.
    }
  }

  /** Removal is housekeeping: a failure here must not fail an image that was pushed. */
  private void removeQuietly(String reference) {
    try {
      daemon.removeImage(reference);
    } catch (StepFailure e) {
      // A conflict (still in use) or a dead daemon; the disk check prunes later if it matters.
    }
  }
}
