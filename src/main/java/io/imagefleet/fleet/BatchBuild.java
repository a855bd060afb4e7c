package io.imagefleet.fleet;

import io.imagefleet.Backoff;
import io.imagefleet.ImagefleetException;
import io.imagefleet.SafeFiles;
import io.imagefleet.docker.StepFailure;
import io.imagefleet.docker.Units;
import io.imagefleet.preflight.CachePruner;
import io.imagefleet.preflight.DiskProbe;
import io.imagefleet.preflight.DiskSpace;
import io.imagefleet.registry.RegistryClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Runs the plan: a bounded pool builds {@code workers} images at a time over batches; free disk is
 * checked between batches (pruning build cache when low, stopping when still low); the deadline, a
 * cancel (a signal) or a dead daemon or registry stops scheduling; every finished image is recorded
 * in the manifest at once.
 */
final class BatchBuild {
  /** Why a run stopped before the end of its plan. */
  enum Stop {
    DEADLINE("deadline"),
    DISK("disk"),
    CANCELLED("cancelled"),
    UNREACHABLE("unreachable");

    final String id;

    Stop(String id) {
      this.id = id;
    }
  }

  private final BuildSettings settings;
  private final ImageBuilder builder;
  private final RegistryClient registry;
  private final Optional<DiskProbe> probe;
  private final Optional<CachePruner> pruner;
  private final Health health;
  private final Manifest manifest;
  private final Progress progress;
  private final ImageContexts contexts;
  private final long start = System.nanoTime();
  private final AtomicReference<Stop> stop = new AtomicReference<>();
  private final AtomicReference<String> down = new AtomicReference<>();
  private final List<ManifestRecord> records = new CopyOnWriteArrayList<>();
  private final List<Future<?>> inFlight = new CopyOnWriteArrayList<>();

  BatchBuild(
      BuildSettings settings,
      ImageBuilder builder,
      RegistryClient registry,
      Optional<DiskProbe> probe,
      Optional<CachePruner> pruner,
      Health health,
      Manifest manifest,
      Progress progress,
      Path sdist,
      String sdkCommit) {
    this.settings = settings;
    this.builder = builder;
    this.registry = registry;
    this.probe = probe;
    this.pruner = pruner;
    this.health = health;
    this.manifest = manifest;
    this.progress = progress;
    this.contexts = new ImageContexts(settings, sdist, sdkCommit);
  }

  /**
   * Builds what the plan holds; returns the records written, and why it stopped early, if it did.
   */
  Result run(List<PlannedImage> plan) {
    ExecutorService pool =
        Executors.newFixedThreadPool(
            settings.workers(),
            r -> {
              Thread t = new Thread(r, "imagefleet-worker");
              t.setDaemon(true);
              return t;
            });
    try {
      for (int from = 0; from < plan.size() && stop.get() == null; from += settings.batchSize()) {
        if (from > 0) {
          checkDisk();
        }
        if (stop.get() != null) {
          break;
        }
        for (PlannedImage image :
            plan.subList(from, Math.min(plan.size(), from + settings.batchSize()))) {
          inFlight.add(pool.submit(() -> buildOne(image)));
        }
        for (Future<?> future : inFlight) {
          await(future);
        }
        inFlight.clear();
      }
    } finally {
      pool.shutdown();
      awaitWorkers(pool);
    }
    return new Result(
        List.copyOf(records),
        Optional.ofNullable(stop.get()).map(s -> s.id),
        Optional.ofNullable(down.get()));
  }

  /**
   * Starts nothing new and interrupts the images in flight, which record themselves as failed;
   * {@link #run} then returns within seconds. Safe from any thread (a shutdown hook).
   */
  void cancel() {
    stop.compareAndSet(null, Stop.CANCELLED);
    inFlight.forEach(f -> f.cancel(true));
  }

  /**
   * {@code unreachable} names what stopped answering (the daemon or the registry) when the run
   * stopped for it.
   */
  record Result(
      List<ManifestRecord> records, Optional<String> stoppedEarly, Optional<String> unreachable) {}

  private void buildOne(PlannedImage image) {
    if (stop.get() != null || pastDeadline()) {
      stop.compareAndSet(null, Stop.DEADLINE);
      return;
    }
    progress.started();
    long begin = System.nanoTime();
    Path log = SafeFiles.child(settings.logs(), image.instance(), ".log");
    ManifestRecord record;
    Optional<String> badBase = BaseImageRule.problem(image.baseImage());
    if (badBase.isPresent()) {
      record = ManifestRecord.failed(image, 0, 0, "base image " + badBase.get());
    } else {
      try {
        Optional<String> existing =
            settings.force() ? Optional.empty() : registry.manifestDigest(image.image());
        record =
            existing.isPresent()
                ? ManifestRecord.skipped(image, existing.get(), seconds(begin))
                : attempts(image, log, begin);
      } catch (ImagefleetException e) {
        record = ManifestRecord.failed(image, 0, seconds(begin), e.getMessage());
        checkHealth(image);
      }
    }
    // A cancelled worker is interrupted; clear it, or the manifest's channel closes on the write.
    Thread.interrupted();
    manifest.append(record);
    records.add(record);
    progress.finished(record, log);
  }

  private ManifestRecord attempts(PlannedImage image, Path log, long begin) {
    int attempt = 0;
    String error;
    while (true) {
      attempt++;
      BuildLog.append(
          log,
          "=== imagefleet: "
              + image.image()
              + ", attempt "
              + attempt
              + " ("
              + builder.name()
              + ") ===\n");
      Path context = null;
      try {
        context = contexts.create(image);
        Optional<String> digest = builder.build(contexts.job(image, context), log, timeout());
        if (digest.isPresent()) {
          verify(image, digest.get());
        }
        return ManifestRecord.built(image, digest.orElse(null), attempt, seconds(begin));
      } catch (StepFailure | PushNotServed e) {
        error = e.getMessage();
        boolean retry = worthRetrying(e, image, attempt);
        if (stop.get() == Stop.CANCELLED) {
          error = "cancelled (" + error + ")";
        }
        BuildLog.append(
            log,
            "=== imagefleet: attempt "
                + attempt
                + " failed: "
                + error
                + (retry ? "; retrying" : "")
                + " ===\n");
        if (!retry) {
          break;
        }
        Backoff.pause(Backoff.delay(settings.retryBackoff(), attempt));
      } finally {
        contexts.delete(context);
      }
    }
    if (down.get() != null) {
      error = down.get() + " stopped answering: " + error;
    }
    return ManifestRecord.failed(image, attempt, seconds(begin), error);
  }

  /**
   * A transient failure is tried again while daemon and registry answer and retries and time
   * remain.
   */
  private boolean worthRetrying(RuntimeException e, PlannedImage image, int attempt) {
    boolean transientFailure =
        e instanceof PushNotServed
            || ((StepFailure) e).timedOut()
            || ((StepFailure) e).unreachable()
            || Failures.isTransient(e.getMessage());
    boolean environmentDown = checkHealth(image);
    return transientFailure
        && !environmentDown
        && attempt <= settings.maxRetries()
        && !pastDeadline()
        && stop.get() == null;
  }

  /**
   * Whether the daemon or the registry stopped answering; if so the run starts nothing new. A
   * failure while both answer is the image's own.
   */
  private boolean checkHealth(PlannedImage image) {
    if (down.get() != null) {
      return true;
    }
    if (stop.get() == Stop.CANCELLED) {
      return false; // The failure is the cancel; and an interrupted thread can't ping.
    }
    Optional<String> gone = health.down(image.image());
    if (gone.isEmpty() && !registry.answers(image.image())) {
      gone = Optional.of("registry " + image.image().registry());
    }
    if (gone.isPresent() && down.compareAndSet(null, gone.get())) {
      stop.compareAndSet(null, Stop.UNREACHABLE);
      progress.say("imagefleet: " + gone.get() + " stopped answering; starting nothing new");
    }
    return gone.isPresent();
  }

  /** The pushed digest must be what the registry now serves for the tag. */
  private void verify(PlannedImage image, String digest) {
    Optional<String> served;
    try {
      served = registry.manifestDigest(image.image());
    } catch (ImagefleetException e) {
      throw new PushNotServed("verifying the push: " + e.getMessage());
    }
    if (served.isEmpty() || !served.get().equals(digest)) {
      throw new PushNotServed(
          "pushed "
              + digest
              + " but the registry serves "
              + served.orElse("nothing")
              + " for "
              + image.image());
    }
  }

  /** The push reported success but the registry doesn't serve that digest (yet): worth a retry. */
  private static final class PushNotServed extends RuntimeException {
    PushNotServed(String message) {
      super(message);
    }
  }

  private void checkDisk() {
    if (probe.isEmpty()) {
      return;
    }
    Optional<DiskSpace> space = probe.get().dataRoot().space();
    if (space.isEmpty() || space.get().freeBytes() >= settings.minFreeBytes()) {
      return;
    }
    progress.say(
        "imagefleet: "
            + Units.gib(space.get().freeBytes())
            + " free on "
            + space.get().path()
            + ", below --min-free-gb; pruning build cache");
    pruner.ifPresent(p -> p.pruneBuildCache(settings.keepBytes()));
    Optional<DiskSpace> after = probe.get().dataRoot().space();
    if (after.isPresent() && after.get().freeBytes() < settings.minFreeBytes()) {
      progress.say(
          "imagefleet: still "
              + Units.gib(after.get().freeBytes())
              + " free after pruning; starting nothing new");
      stop.compareAndSet(null, Stop.DISK);
    }
  }

  /** Past the deadline, or too close to it to start an image of the expected length. */
  private boolean pastDeadline() {
    if (settings.deadline().isEmpty()) {
      return false;
    }
    long elapsed = System.nanoTime() - start;
    long[] built =
        records.stream()
            .filter(r -> r.status() == ManifestRecord.Status.BUILT)
            .mapToLong(r -> (long) (r.seconds() * 1e9))
            .sorted()
            .toArray();
    long median = built.length == 0 ? 0 : built[built.length / 2];
    return elapsed + median >= settings.deadline().get().toNanos();
  }

  private Duration timeout() {
    if (settings.deadline().isEmpty()) {
      return settings.imageTimeout();
    }
    long left = settings.deadline().get().toNanos() - (System.nanoTime() - start);
    return Duration.ofNanos(
        Math.max(1_000_000_000L, Math.min(settings.imageTimeout().toNanos(), left)));
  }

  private static void await(Future<?> future) {
    try {
      future.get();
    } catch (CancellationException e) {
      // Cancelled by cancel(): the worker records the image itself.
    } catch (ExecutionException e) {
      throw e.getCause() instanceof RuntimeException r
          ? r
          : new IllegalStateException(e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  /** Cancelled workers still write their record: wait for them, briefly. */
  private static void awaitWorkers(ExecutorService pool) {
    try {
      pool.awaitTermination(8, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static double seconds(long begin) {
    return Math.round((System.nanoTime() - begin) / 1e8) / 10.0;
  }
}
