package io.imagefleet.build;

import io.imagefleet.Backoff;
import io.imagefleet.ImagefleetException;
import io.imagefleet.SafeFiles;
import io.imagefleet.docker.StepFailure;
import io.imagefleet.preflight.CachePruner;
import io.imagefleet.preflight.DiskProbe;
import io.imagefleet.preflight.DiskSpace;
import io.imagefleet.preflight.Units;
import io.imagefleet.registry.RegistryClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Runs the plan: a bounded pool builds {@code workers} images at a time over batches; free disk is
 * checked between batches (pruning build cache when low, stopping when still low); the deadline
 * stops scheduling; every finished image is recorded in the manifest at once.
 */
final class BatchBuild {
  private final BuildSettings settings;
  private final ImageBuilder builder;
  private final RegistryClient registry;
  private final Optional<DiskProbe> probe;
  private final Optional<CachePruner> pruner;
  private final Manifest manifest;
  private final Progress progress;
  private final Path sdist;
  private final String sdkCommit;
  private final long start = System.nanoTime();
  private final AtomicReference<String> stop = new AtomicReference<>();
  private final List<ManifestRecord> records = new CopyOnWriteArrayList<>();

  BatchBuild(
      BuildSettings settings,
      ImageBuilder builder,
      RegistryClient registry,
      Optional<DiskProbe> probe,
      Optional<CachePruner> pruner,
      Manifest manifest,
      Progress progress,
      Path sdist,
      String sdkCommit) {
    this.settings = settings;
    this.builder = builder;
    this.registry = registry;
    this.probe = probe;
    this.pruner = pruner;
    this.manifest = manifest;
    this.progress = progress;
    this.sdist = sdist;
    this.sdkCommit = sdkCommit;
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
        List<Future<?>> batch = new ArrayList<>();
        for (PlannedImage image :
            plan.subList(from, Math.min(plan.size(), from + settings.batchSize()))) {
          batch.add(pool.submit(() -> buildOne(image)));
        }
        for (Future<?> future : batch) {
          await(future);
        }
      }
    } finally {
      pool.shutdown();
    }
    return new Result(List.copyOf(records), Optional.ofNullable(stop.get()));
  }

  record Result(List<ManifestRecord> records, Optional<String> stoppedEarly) {}

  private void buildOne(PlannedImage image) {
    if (stop.get() != null || pastDeadline()) {
      stop.compareAndSet(null, "deadline");
      return;
    }
    progress.started();
    long begin = System.nanoTime();
    Path log = settings.logs().resolve(image.instance() + ".log");
    List<String> tags = List.of(image.image().toString());
    ManifestRecord record;
    try {
      Optional<String> existing =
          settings.force() ? Optional.empty() : registry.manifestDigest(image.image());
      if (existing.isPresent()) {
        record =
            new ManifestRecord(
                image.instance(),
                image.baseImage(),
                tags,
                existing.get(),
                ManifestRecord.Status.SKIPPED,
                0,
                seconds(begin),
                null);
      } else {
        record = attempts(image, log, tags, begin);
      }
    } catch (ImagefleetException e) {
      record =
          new ManifestRecord(
              image.instance(),
              image.baseImage(),
              tags,
              null,
              ManifestRecord.Status.FAILED,
              0,
              seconds(begin),
              e.getMessage());
    }
    manifest.append(record);
    records.add(record);
    progress.finished(record, log);
  }

  private ManifestRecord attempts(PlannedImage image, Path log, List<String> tags, long begin) {
    int attempt = 0;
    String error;
    while (true) {
      attempt++;
      appendLog(
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
        context = context(image);
        Optional<String> digest = builder.build(job(image, context), log, timeout());
        if (digest.isPresent()) {
          verify(image, digest.get());
        }
        return new ManifestRecord(
            image.instance(),
            image.baseImage(),
            tags,
            digest.orElse(null),
            ManifestRecord.Status.BUILT,
            attempt,
            seconds(begin),
            null);
      } catch (StepFailure | PushNotServed e) {
        error = e.getMessage();
        boolean transientFailure =
            e instanceof PushNotServed
                || ((StepFailure) e).timedOut()
                || Failures.isTransient(error);
        boolean retry = transientFailure && attempt <= settings.maxRetries() && !pastDeadline();
        appendLog(
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
        deleteQuietly(context);
      }
    }
    return new ManifestRecord(
        image.instance(),
        image.baseImage(),
        tags,
        null,
        ManifestRecord.Status.FAILED,
        attempt,
        seconds(begin),
        error);
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

  private ImageJob job(PlannedImage image, Path context) {
    Map<String, String> args = new LinkedHashMap<>(settings.buildArgs());
    args.put("BASE_IMAGE", image.baseImage());
    args.put("SDK_COMMIT", sdkCommit);
    args.put("SDIST", sdist.getFileName().toString());
    return new ImageJob(
        image.instance(),
        image.baseImage(),
        image.image(),
        context,
        context.resolve("Dockerfile"),
        settings.target(),
        args,
        settings.network(),
        settings.push(),
        settings.cacheMode());
  }

  /** A context of its own per image: the Dockerfile and a hard link to the one sdist. */
  private Path context(PlannedImage image) {
    try {
      Path context =
          Files.createDirectories(settings.output().resolve("contexts")).resolve(image.instance());
      deleteQuietly(context);
      Files.createDirectories(context);
      Files.copy(settings.dockerfile(), context.resolve("Dockerfile"));
      Path link = context.resolve(sdist.getFileName());
      try {
        Files.createLink(link, sdist);
      } catch (IOException | UnsupportedOperationException e) {
        Files.copy(sdist, link);
      }
      return context;
    } catch (IOException e) {
      throw new StepFailure("cannot prepare the build context: " + e.getMessage(), false);
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
      stop.compareAndSet(null, "disk");
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
    } catch (java.util.concurrent.ExecutionException e) {
      throw e.getCause() instanceof RuntimeException r
          ? r
          : new IllegalStateException(e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  private static double seconds(long begin) {
    return Math.round((System.nanoTime() - begin) / 1e8) / 10.0;
  }

  private static void appendLog(Path log, String text) {
    try {
      Files.writeString(
          log,
          text,
          java.nio.file.StandardOpenOption.CREATE,
          java.nio.file.StandardOpenOption.APPEND);
    } catch (IOException e) {
      // The log is best effort.
    }
  }

  private static void deleteQuietly(Path dir) {
    if (dir == null) {
      return;
    }
    try {
      SafeFiles.deleteTree(dir);
    } catch (IOException e) {
      // A leftover context costs a little disk, nothing else.
    }
  }
}
