package io.imagefleet.fleet;

import io.imagefleet.Backoff;
import io.imagefleet.ImageMeter;
import io.imagefleet.ImagefleetException;
import io.imagefleet.SafeFiles;
import io.imagefleet.docker.StepFailure;
import io.imagefleet.registry.Deadline;
import io.imagefleet.registry.RegistryClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One image, start to record: skipped when the registry has it, else built, pushed and verified,
 * retried on transient failures, and recorded in the manifest with when, where (its lane) and how
 * each attempt went. A builder that overstays its timeout is abandoned, so the lane is free at
 * once.
 */
final class ImageWork {
  private final BuildSettings settings;
  private final ImageBuilder builder;
  private final RegistryClient registry;
  private final Health health;
  private final Manifest manifest;
  private final Progress progress;
  private final ImageContexts contexts;
  private final BuildState state;
  private final Duration grace;
  private final Retagger retagger;
  private final ExecutorService calls =
      Executors.newCachedThreadPool(
          r -> {
            Thread t = new Thread(r, "imagefleet-build");
            t.setDaemon(true);
            return t;
          });

  ImageWork(
      BuildSettings settings,
      ImageBuilder builder,
      RegistryClient registry,
      Health health,
      Manifest manifest,
      Progress progress,
      ImageContexts contexts,
      BuildState state,
      Duration grace,
      Retagger retagger) {
    this.settings = settings;
    this.builder = builder;
    this.registry = registry;
    this.health = health;
    this.manifest = manifest;
    this.progress = progress;
    this.contexts = contexts;
    this.state = state;
    this.grace = grace;
    this.retagger = retagger;
  }

  /** Builds (or skips) the image in {@code lane} and records it; never throws for the image. */
  ManifestRecord run(PlannedImage image, int lane) {
    progress.started();
    String started = state.ticker().stamp();
    long begin = state.ticker().nanos();
    Path log = SafeFiles.child(settings.logs(), image.instance(), ".log");
    List<ManifestRecord.Run> runs = new ArrayList<>();
    ImageMeter meter = ImageMeter.start(state.ticker()::nanos, builder.bytesCounted());
    ManifestRecord record;
    Optional<String> badBase = BaseImageRule.problem(image.baseImage());
    if (badBase.isPresent()) {
      record = ManifestRecord.failed(image, 0, 0, "base image " + badBase.get());
    } else {
      try (ImageMeter.Binding bound = meter.bind()) {
        meter.mark(ImageMeter.Phase.CHECK);
        Optional<RegistryClient.Existing> existing =
            settings.force()
                ? Optional.empty()
                : registry
                    .existing(image.image(), settings.platforms(), Deadline.after(state.timeout()))
                    .filter(e -> !settings.multiPlatform() || e.missing().isEmpty());
        meter.mark(ImageMeter.Phase.OTHER);
        record =
            existing.isPresent()
                ? skipped(image, existing.get(), begin)
                : made(image, log, begin, runs, meter);
      } catch (ImagefleetException e) {
        record = ManifestRecord.failed(image, 0, state.seconds(begin), e.getMessage());
        checkHealth(image);
      }
    }
    record =
        record
            .timed(started, state.ticker().stamp(), lane, runs)
            .metered(
                meter.phases(record.seconds()), record.attempts() > 0 ? meter.bytes() : Map.of());
    // A cancelled worker is interrupted; clear it, or the manifest's channel closes on the write.
    Thread.interrupted();
    manifest.append(record);
    state.record(record);
    BuildLog.share(log);
    progress.finished(record, log);
    return record;
  }

  /** A tag the registry has (for several platforms: an index with every one). */
  private ManifestRecord skipped(PlannedImage image, RegistryClient.Existing existing, long begin) {
    ManifestRecord record = ManifestRecord.skipped(image, existing.digest(), state.seconds(begin));
    return settings.multiPlatform()
        ? record.onPlatforms(new PlatformCoverage(existing.platforms(), List.of()))
        : record;
  }

  /** Stops the threads of abandoned builds; they were interrupted already. */
  void close() {
    calls.shutdownNow();
  }

  /**
   * The image retagged when an earlier run made one from the same inputs, else built; either way
   * keyed. {@code --force} builds anyway.
   */
  private ManifestRecord made(
      PlannedImage image, Path log, long begin, List<ManifestRecord.Run> runs, ImageMeter meter) {
    // With nothing to retag from, an append image is keyed by the base digest its build read:
    // one registry request less per image.
    boolean keyAfter = !retagger.retags() && builder.resolvesBases();
    meter.mark(ImageMeter.Phase.RESOLVE);
    Optional<String> key = keyAfter ? Optional.empty() : retagger.key(image, log);
    meter.mark(ImageMeter.Phase.RETAG);
    Optional<String> retagged =
        settings.force() ? Optional.empty() : key.flatMap(k -> retagger.retag(image, k, log));
    meter.mark(ImageMeter.Phase.OTHER);
    ManifestRecord record =
        retagged.isPresent()
            ? ManifestRecord.retagged(image, retagged.get(), state.seconds(begin))
            : attempts(image, log, begin, runs, meter);
    if (keyAfter) {
      key = builder.resolvedBase(image.baseImage()).flatMap(retagger::keyOf);
    }
    return key.isPresent() && record.status() != ManifestRecord.Status.FAILED
        ? record.keyed(key.get())
        : record;
  }

  private ManifestRecord attempts(
      PlannedImage image, Path log, long begin, List<ManifestRecord.Run> runs, ImageMeter meter) {
    int attempt = 0;
    while (true) {
      attempt++;
      BuildLog.append(
          log,
          "=== imagefleet: %s, attempt %d (%s) ===\n"
              .formatted(image.image(), attempt, builder.name()));
      String started = state.ticker().stamp();
      long attemptBegin = state.ticker().nanos();
      Failed failed;
      try {
        Optional<String> digest = attempt(image, log, meter);
        runs.add(new ManifestRecord.Run(started, state.seconds(attemptBegin), null));
        ManifestRecord built =
            ManifestRecord.built(image, digest.orElse(null), attempt, state.seconds(begin));
        built = builder.platforms(image.instance()).map(built::onPlatforms).orElse(built);
        return builder.envImage(image.instance()).map(built::onEnv).orElse(built);
      } catch (StepFailure | PushNotServed e) {
        failed = failure(e, image, attempt);
      }
      runs.add(new ManifestRecord.Run(started, state.seconds(attemptBegin), failed.error()));
      BuildLog.append(
          log,
          "=== imagefleet: attempt %d failed: %s%s ===\n"
              .formatted(attempt, failed.error(), failed.retry() ? "; retrying" : ""));
      if (!failed.retry()) {
        String error =
            state.down().map(d -> d + " stopped answering: ").orElse("") + failed.error();
        return ManifestRecord.failed(image, attempt, state.seconds(begin), error);
      }
      meter.mark(ImageMeter.Phase.WAIT_RETRY);
      Backoff.pause(Backoff.delay(settings.retryBackoff(), attempt));
      meter.mark(ImageMeter.Phase.OTHER);
    }
  }

  private record Failed(String error, boolean retry) {}

  private Failed failure(RuntimeException e, PlannedImage image, int attempt) {
    boolean retry = worthRetrying(e, image, attempt);
    String error = state.cancelled() ? "cancelled (" + e.getMessage() + ")" : e.getMessage();
    return new Failed(error, retry);
  }

  /** One attempt: context, build and push within the timeout, verify, context removed. */
  private Optional<String> attempt(PlannedImage image, Path log, ImageMeter meter) {
    Path context = null;
    ImageMeter view = meter.attempt();
    try {
      context = contexts.create(image);
      Optional<String> digest =
          timed(contexts.job(image, context).metered(view), log, state.timeout());
      if (digest.isPresent()) {
        meter.mark(ImageMeter.Phase.VERIFY);
        verify(image, digest.get());
      }
      return digest;
    } finally {
      view.detach();
      meter.mark(ImageMeter.Phase.OTHER);
      contexts.delete(context);
    }
  }

  /**
   * The builder's call, given {@code grace} past its timeout to stop on its own (and say why); then
   * it is interrupted and left behind, and the attempt has timed out.
   */
  private Optional<String> timed(ImageJob job, Path log, Duration timeout) {
    Future<Optional<String>> call =
        calls.submit(
            () -> {
              try (ImageMeter.Binding bound = job.meter().bind()) {
                return builder.build(job, log, timeout);
              }
            });
    try {
      return call.get(timeout.plus(grace).toNanos(), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      call.cancel(true);
      throw new StepFailure(
          "build timed out after " + timeout.toSeconds() + " s and was abandoned", true);
    } catch (InterruptedException e) {
      call.cancel(true);
      throw new StepFailure("build interrupted", false);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      // An Error (out of memory, say) fails this image; the run goes on and its report is written.
      throw new StepFailure("build failed: " + e.getCause(), false);
    }
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
            || TransientFailures.isTransient(e.getMessage());
    boolean environmentDown = checkHealth(image);
    return transientFailure
        && !environmentDown
        && attempt <= settings.maxRetries()
        && !state.pastDeadline()
        && state.stopped().isEmpty();
  }

  /**
   * Whether the daemon or the registry stopped answering; if so the run starts nothing new. A
   * failure while both answer is the image's own.
   */
  private boolean checkHealth(PlannedImage image) {
    if (state.down().isPresent()) {
      return true;
    }
    if (state.cancelled()) {
      return false; // The failure is the cancel; and an interrupted thread can't ping.
    }
    Optional<String> gone = health.down(image.image());
    if (gone.isEmpty() && !registry.answers(image.image())) {
      gone = Optional.of("registry " + image.image().registry());
    }
    if (gone.isPresent() && state.markDown(gone.get())) {
      progress.say("imagefleet: " + gone.get() + " stopped answering; starting nothing new");
    }
    return gone.isPresent();
  }

  /** The pushed digest must be what the registry now serves for the tag. */
  private void verify(PlannedImage image, String digest) {
    Optional<String> served;
    try {
      served = registry.manifestDigest(image.image(), Deadline.after(state.timeout()));
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
}
