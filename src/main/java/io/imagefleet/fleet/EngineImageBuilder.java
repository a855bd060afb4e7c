package io.imagefleet.fleet;

import io.imagefleet.Backoff;
import io.imagefleet.ImageMeter;
import io.imagefleet.docker.DockerDaemon;
import io.imagefleet.docker.EngineBuild;
import io.imagefleet.docker.StepFailure;
import io.imagefleet.registry.BaseName;
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
  private static final int STEP_TRIES = 8;
  private static final Duration STEP_BACKOFF = Duration.ofSeconds(1);

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
  public BuilderType type() {
    return BuilderTypes.ENGINE;
  }

  @Override
  public Optional<String> build(ImageJob job, Path log, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    String reference = job.image().toString();
    ImageMeter meter = job.meter();
    meter.mark(ImageMeter.Phase.PULL);
    boolean pull = acquire(job.baseImage());
    try {
      if (pull) {
        retrying(
            "pull " + job.baseImage(),
            deadline,
            log,
            left -> daemon.pullImage(job.baseImage(), login(job.baseImage()), log, left));
      }
      meter.mark(ImageMeter.Phase.BUILD);
      daemon.buildImage(
          new EngineBuild(
              job.context(),
              job.dockerfile(),
              reference,
              job.target(),
              job.buildArgs(),
              job.network(),
              job.platform(),
              false),
          log,
          timeout);
      if (!job.push()) {
        return Optional.empty();
      }
      meter.mark(ImageMeter.Phase.PUSH);
      return Optional.of(push(job, deadline, log));
    } finally {
      meter.mark(ImageMeter.Phase.OTHER);
      release(job.baseImage(), reference);
    }
  }

  private String push(ImageJob job, long deadline, Path log) {
    String reference = job.image().toString();
    String[] digest = new String[1];
    retrying(
        "push " + reference,
        deadline,
        log,
        left ->
            digest[0] =
                daemon.pushImage(
                    job.image().repositoryName(),
                    job.image().tag(),
                    credentials.forRegistry(job.image().registry()),
                    log,
                    left));
    return digest[0];
  }

  /**
   * Counts a user of the base; the first user notes whether the base was there before the run.
   * Returns whether it must be pulled (it is not there yet).
   */
  private synchronized boolean acquire(String base) {
    int users = baseUsers.getOrDefault(base, 0);
    if (users == 0 && !pulledBases.contains(base) && !exists(base)) {
      pulledBases.add(base);
    }
    baseUsers.put(base, users + 1);
    return pulledBases.contains(base);
  }

  /**
   * A pull or push that hiccups (a registry's 5xx or 429, a reset) is tried again on its own: what
   * it moved stays moved, so each try has less to do, and the build is not repeated for it.
   */
  private static void retrying(String what, long deadline, Path log, Step step) {
    for (int attempt = 1; ; attempt++) {
      Duration left = Duration.ofNanos(Math.max(1_000_000_000L, deadline - System.nanoTime()));
      try {
        step.run(left);
        return;
      } catch (StepFailure e) {
        Duration wait = Backoff.delay(STEP_BACKOFF, Math.min(attempt, 3));
        boolean again =
            !e.timedOut()
                && !e.unreachable()
                && TransientFailures.isTransient(e.getMessage())
                && attempt < STEP_TRIES
                && System.nanoTime() + wait.toNanos() < deadline
                && !Thread.currentThread().isInterrupted();
        if (!again) {
          throw e;
        }
        BuildLog.append(
            log, "=== imagefleet: " + e.getMessage() + "; trying the " + what + " again ===\n");
        Backoff.pause(wait);
      }
    }
  }

  private Optional<Credentials.Login> login(String reference) {
    try {
      // BaseName: a base pinned by digest (phased's per platform) keeps its registry's login.
      return credentials.forRegistry(BaseName.parse(reference).image().registry());
    } catch (RuntimeException e) {
      return Optional.empty(); // A reference Docker reads differently: pull anonymously.
    }
  }

  @FunctionalInterface
  private interface Step {
    void run(Duration timeout);
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
