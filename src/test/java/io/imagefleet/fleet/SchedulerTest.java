package io.imagefleet.fleet;

import static io.imagefleet.fleet.SchedulerRig.GIB;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.imagefleet.docker.StepFailure;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The scheduler with a fake builder, a fake clock and a fake data root: no Docker. */
class SchedulerTest {
  private static final Duration HOUR = Duration.ofHours(1);

  @TempDir Path dir;
  private SchedulerRig rig;

  @BeforeEach
  void rig() throws Exception {
    rig = new SchedulerRig(dir);
  }

  @AfterEach
  void close() {
    rig.close();
  }

  /** Builds block until the test releases them (or pass through when {@code open}). */
  static final class GatedBuilder implements ImageBuilder {
    final BlockingQueue<String> started = new LinkedBlockingQueue<>();
    final Map<String, CountDownLatch> gates = new ConcurrentHashMap<>();
    final AtomicInteger inFlight = new AtomicInteger();
    final AtomicInteger maxInFlight = new AtomicInteger();
    final AtomicInteger starts = new AtomicInteger();
    volatile boolean open;

    void release(String instance) {
      gate(instance).countDown();
    }

    CountDownLatch gate(String instance) {
      return gates.computeIfAbsent(instance, i -> new CountDownLatch(1));
    }

    String next() throws InterruptedException {
      return started.poll(5, TimeUnit.SECONDS);
    }

    @Override
    public Optional<String> build(ImageJob job, Path log, Duration timeout) {
      starts.incrementAndGet();
      maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
      started.add(job.instance());
      try {
        if (!open) {
          gate(job.instance()).await(20, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new StepFailure("interrupted", false);
      } finally {
        inFlight.decrementAndGet();
      }
      return Optional.empty();
    }

    @Override
    public BuilderType type() {
      return BuilderTypes.ENGINE;
    }

    @Override
    public String name() {
      return "fake";
    }
  }

  @Test
  void aFreeWorkerTakesTheNextImageWithoutWaitingForTheRestOfItsBatch() throws Exception {
    GatedBuilder builder = new GatedBuilder();
    BatchBuild batch =
        rig.batch(
            rig.settings(2, 2, HOUR, 0),
            builder,
            Optional.empty(),
            SchedulerRig.tuning(HOUR, HOUR, Duration.ofSeconds(5)));
    CompletableFuture<BatchBuild.Result> run = SchedulerRig.start(batch, rig.plan(5));
    assertThat(List.of(builder.next(), builder.next())).containsExactlyInAnyOrder("i-0", "i-1");

    builder.release("i-1");
    String third = builder.next();

    assertThat(third).isEqualTo("i-2");
    assertThat(builder.gate("i-0").getCount()).as("i-0 still building").isEqualTo(1);
    assertThat(builder.inFlight.get()).isEqualTo(2);
    builder.open = true;
    builder.gates.values().forEach(CountDownLatch::countDown);
    BatchBuild.Result result = SchedulerRig.finish(run);
    assertThat(result.records())
        .hasSize(5)
        .allMatch(r -> r.status() == ManifestRecord.Status.BUILT);
    Map<String, JsonNode> byId = byInstance(rig.lines("manifest.jsonl"));
    assertThat(byId.get("i-0").path("lane").asInt()).isEqualTo(0);
    assertThat(byId.get("i-1").path("lane").asInt()).isEqualTo(1);
    assertThat(byId.get("i-2").path("lane").asInt()).as("i-1's lane, freed").isEqualTo(1);
    assertThat(byId.get("i-2").path("started").asText()).matches("2026-11-27T04:00:01\\.\\d{3}Z");
    assertThat(byId.get("i-2").path("runs")).hasSize(1);
    assertThat(byId.get("i-2").path("runs").get(0).has("error")).isFalse();
  }

  @Test
  void theDiskIsMeasuredEveryBatchSizeStartsWithoutWaitingForAnyToFinish() throws Exception {
    GatedBuilder builder = new GatedBuilder();
    builder.open = true;
    SchedulerRig.FakeRoot root =
        new SchedulerRig.FakeRoot(() -> 50 * GIB, false, builder.starts::get);
    BatchBuild batch =
        rig.batch(
            rig.settings(1, 3, HOUR, GIB),
            builder,
            Optional.of(root),
            SchedulerRig.tuning(HOUR, HOUR, Duration.ofSeconds(5)));

    BatchBuild.Result result = SchedulerRig.finish(SchedulerRig.start(batch, rig.plan(7)));

    assertThat(result.records()).hasSize(7);
    assertThat(root.measurements()).containsExactly(3, 6);
    assertThat(root.prunes).isZero();
    List<JsonNode> disk = rig.lines("disk.jsonl");
    assertThat(disk).hasSize(2);
    assertThat(disk.get(0).path("free_bytes").asLong()).isEqualTo(50 * GIB);
    assertThat(disk.get(0).path("floor_bytes").asLong()).isEqualTo(GIB);
    assertThat(disk.get(0).has("pruned_bytes")).isFalse();
    assertThat(disk.get(0).path("at").asText()).matches("2026-11-27T04:00:01\\.\\d{3}Z");
  }

  @Test
  void theDiskIsMeasuredAndPrunedAtLeastEverySixtySecondsWhileAllWorkersAreBusy() throws Exception {
    GatedBuilder builder = new GatedBuilder();
    AtomicLong free = new AtomicLong(5 * GIB);
    SchedulerRig.FakeRoot root = new SchedulerRig.FakeRoot(free::get, false, builder.starts::get);
    BatchBuild batch =
        rig.batch(
            rig.settings(1, 100, HOUR, 10 * GIB),
            builder,
            Optional.of(root),
            SchedulerRig.tuning(Duration.ofSeconds(60), HOUR, Duration.ofSeconds(5)));
    CompletableFuture<BatchBuild.Result> run = SchedulerRig.start(batch, rig.plan(2));
    assertThat(builder.next()).isEqualTo("i-0");
    Thread.sleep(100);
    assertThat(root.measurements()).isEmpty();

    rig.ticker.advance(Duration.ofSeconds(61));
    awaitSize(root, 2); // Under the floor: measured, pruned, measured again.
    assertThat(root.prunes).isEqualTo(1);
    rig.ticker.advance(Duration.ofSeconds(30));
    Thread.sleep(100);
    assertThat(root.measurements()).hasSize(2);
    rig.ticker.advance(Duration.ofSeconds(31));
    awaitSize(root, 4);

    assertThat(root.prunes).isEqualTo(2);
    assertThat(builder.starts.get()).as("nothing else started meanwhile").isEqualTo(1);
    free.set(50 * GIB);
    builder.open = true;
    builder.release("i-0");
    BatchBuild.Result result = SchedulerRig.finish(run);
    assertThat(result.records()).as(rig.console + " " + result.stoppedEarly()).hasSize(2);
    List<JsonNode> disk = rig.lines("disk.jsonl");
    assertThat(disk.get(0).has("pruned_bytes")).isFalse();
    assertThat(disk.get(1).path("pruned_bytes").asLong()).isZero();
  }

  @Test
  void anImageThatWouldTakeTheDiskUnderTheFloorWaitsForAWorkerToFinish() throws Exception {
    // Each image grows the disk by 3 GiB while it builds; 10 GiB free, floor 2 GiB: two fit.
    AtomicInteger growing = new AtomicInteger();
    AtomicInteger violations = new AtomicInteger();
    ImageBuilder builder =
        new ImageBuilder() {
          @Override
          public Optional<String> build(ImageJob job, Path log, Duration timeout) {
            if (10 - 3 * growing.incrementAndGet() < 2) {
              violations.incrementAndGet();
            }
            try {
              Thread.sleep(30);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
            growing.decrementAndGet();
            return Optional.empty();
          }

          @Override
          public BuilderType type() {
            return BuilderTypes.ENGINE;
          }

          @Override
          public String name() {
            return "fake";
          }
        };
    SchedulerRig.FakeRoot root =
        new SchedulerRig.FakeRoot(() -> (10 - 3L * growing.get()) * GIB, true, () -> 0);
    rig.clock = Ticker.SYSTEM; // Growth is sampled every millisecond of real time.
    BatchBuild batch =
        rig.batch(
            rig.settings(4, 1, HOUR, 2 * GIB),
            builder,
            Optional.of(root),
            SchedulerRig.tuning(HOUR, Duration.ofMillis(1), Duration.ofSeconds(5)));

    BatchBuild.Result result = SchedulerRig.finish(SchedulerRig.start(batch, rig.plan(12)));

    assertThat(violations.get()).as("images started that could not fit").isZero();
    assertThat(result.stoppedEarly()).isEmpty();
    assertThat(result.records())
        .hasSize(12)
        .allMatch(r -> r.status() == ManifestRecord.Status.BUILT);
    assertThat(rig.console.toString()).contains("waiting for one to finish before starting more");
  }

  @Test
  void whenNoImageFitsAndNothingIsInFlightTheBuildStopsForDisk() throws Exception {
    GatedBuilder builder = new GatedBuilder();
    builder.open = true;
    SchedulerRig.FakeRoot root = new SchedulerRig.FakeRoot(() -> GIB, false, builder.starts::get);
    BatchBuild batch =
        rig.batch(
            rig.settings(2, 2, HOUR, 5 * GIB),
            builder,
            Optional.of(root),
            SchedulerRig.tuning(HOUR, HOUR, Duration.ofSeconds(5)));

    BatchBuild.Result result = SchedulerRig.finish(SchedulerRig.start(batch, rig.plan(4)));

    assertThat(result.stoppedEarly()).contains("disk");
    assertThat(result.records()).hasSize(2);
    assertThat(rig.console.toString())
        .contains("below --min-free-gb; pruning build cache")
        .contains("after pruning; starting nothing new");
  }

  @Test
  void aWorkerWhoseImageOverstaysItsTimeoutIsFreeAtOnce() throws Exception {
    GatedBuilder builder = new GatedBuilder(); // Ignores the timeout: i-0 never ends by itself.
    builder.release("i-1");
    BatchBuild batch =
        rig.batch(
            rig.settings(1, 10, Duration.ofSeconds(1), 0),
            builder,
            Optional.empty(),
            SchedulerRig.tuning(HOUR, HOUR, Duration.ofMillis(100)));
    long begin = System.nanoTime();

    BatchBuild.Result result = SchedulerRig.finish(SchedulerRig.start(batch, rig.plan(2)));

    assertThat((System.nanoTime() - begin) / 1e9).isLessThan(5);
    Map<String, JsonNode> byId = byInstance(rig.lines("manifest.jsonl"));
    assertThat(byId.get("i-0").path("status").asText()).isEqualTo("failed");
    assertThat(byId.get("i-0").path("error").asText())
        .isEqualTo("build timed out after 1 s and was abandoned");
    assertThat(byId.get("i-0").path("runs").get(0).path("error").asText())
        .isEqualTo("build timed out after 1 s and was abandoned");
    assertThat(byId.get("i-1").path("status").asText()).isEqualTo("built");
    assertThat(byId.get("i-1").path("lane").asInt()).isEqualTo(0);
    assertThat(result.records()).hasSize(2);
    builder.release("i-0");
  }

  @Test
  void anErrorInOneImageFailsThatImageAndTheRunGoesOn() throws Exception {
    GatedBuilder gated = new GatedBuilder();
    gated.open = true;
    ImageBuilder builder =
        new ImageBuilder() {
          @Override
          public Optional<String> build(ImageJob job, Path log, Duration timeout) {
            if (job.instance().equals("i-0")) {
              throw new OutOfMemoryError("Java heap space");
            }
            return gated.build(job, log, timeout);
          }

          @Override
          public BuilderType type() {
            return BuilderTypes.ENGINE;
          }

          @Override
          public String name() {
            return "engine";
          }
        };
    BatchBuild batch =
        rig.batch(
            rig.settings(1, 10, HOUR, 0),
            builder,
            Optional.empty(),
            SchedulerRig.tuning(HOUR, HOUR, Duration.ofMillis(100)));

    BatchBuild.Result result = SchedulerRig.finish(SchedulerRig.start(batch, rig.plan(2)));

    Map<String, JsonNode> byId = byInstance(rig.lines("manifest.jsonl"));
    assertThat(byId.get("i-0").path("status").asText()).isEqualTo("failed");
    assertThat(byId.get("i-0").path("error").asText())
        .isEqualTo("build failed: java.lang.OutOfMemoryError: Java heap space");
    assertThat(byId.get("i-1").path("status").asText()).isEqualTo("built");
    assertThat(result.records()).hasSize(2);
  }

  private static void awaitSize(SchedulerRig.FakeRoot root, int n) throws InterruptedException {
    long until = System.nanoTime() + 5_000_000_000L;
    while (root.measurements().size() < n && System.nanoTime() < until) {
      Thread.sleep(5);
    }
    assertThat(root.measurements()).hasSize(n);
  }

  private static Map<String, JsonNode> byInstance(List<JsonNode> lines) {
    Map<String, JsonNode> map = new ConcurrentHashMap<>();
    lines.forEach(n -> map.put(n.path("instance").asText(), n));
    return map;
  }
}
