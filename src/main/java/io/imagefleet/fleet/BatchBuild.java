package io.imagefleet.fleet;

import io.imagefleet.docker.Units;
import io.imagefleet.preflight.DataRoot;
import io.imagefleet.preflight.DiskFloor;
import io.imagefleet.registry.RegistryClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Runs the plan on a continuous pool: a worker takes the next image the moment it is free. Every
 * {@code --batch-size} starts and at least every 60 s free disk is measured (build cache pruned
 * when under the floor), without waiting for anything to finish; an image whose expected growth
 * would take the data root under the floor waits for a worker to finish, and the run stops for disk
 * only when nothing is in flight. The deadline, a cancel (a signal) or a dead daemon or registry
 * stops scheduling; every finished image is recorded in the manifest at once.
 */
final class BatchBuild {
  /** How often the dispatcher looks at disk and time; tests shorten them. */
  record Tuning(
      Duration checkEvery,
      Duration sampleEvery,
      Duration sampleEveryByHelper,
      Duration slice,
      Duration grace) {
    static final Tuning DEFAULT =
        new Tuning(
            Duration.ofSeconds(60),
            Duration.ofMillis(200),
            Duration.ofSeconds(15),
            Duration.ofMillis(250),
            Duration.ofSeconds(5));
  }

  private enum Admission {
    GO,
    WAIT,
    STOP
  }

  /** An image in flight in its lane. */
  private record Flight(int lane, PlannedImage image, Future<?>[] future) {}

  private final BuildSettings settings;
  private final BuildState state;
  private final ImageWork work;
  private final DiskWatch disk;
  private final Progress progress;
  private final Tuning tuning;
  private final Ticker ticker;
  private final Map<Integer, Flight> flights = new ConcurrentHashMap<>();
  private final BlockingQueue<Flight> finished = new LinkedBlockingQueue<>();
  private int starts;
  private int startsAtCheck;
  private long lastCheck;
  private long lastStart = Long.MIN_VALUE;
  private boolean recheck;
  private boolean checked;
  private boolean waitSaid;
  private long diskWaitNanos;

  BatchBuild(
      BuildSettings settings,
      BuildTools tools,
      RegistryClient registry,
      Manifest manifest,
      Progress progress,
      BuildInputs inputs,
      Retagger retagger) {
    this(
        settings,
        new ImageTools(
            tools.builder(),
            registry,
            tools.probe().map(p -> DataRoot.of(p, tools.pruner())),
            tools.health(),
            retagger),
        manifest,
        progress,
        new ImageContexts(settings, inputs.sdist().file(), inputs.sdkCommit()),
        Ticker.SYSTEM,
        Tuning.DEFAULT);
  }

  /** What one image is built with, and where the disk is measured. */
  record ImageTools(
      ImageBuilder builder,
      RegistryClient registry,
      Optional<DataRoot> disk,
      Health health,
      Retagger retagger) {}

  BatchBuild(
      BuildSettings settings,
      ImageTools tools,
      Manifest manifest,
      Progress progress,
      ImageContexts contexts,
      Ticker ticker,
      Tuning tuning) {
    this.settings = settings;
    this.progress = progress;
    this.tuning = tuning;
    this.ticker = ticker;
    this.state = new BuildState(settings, ticker);
    this.work =
        new ImageWork(
            settings,
            tools.builder(),
            tools.registry(),
            tools.health(),
            manifest,
            progress,
            contexts,
            state,
            tuning.grace(),
            tools.retagger());
    // A resumed run (its manifest already holds records) appends to the disk log too.
    boolean resumed = sizeOf(settings.manifest()) > 0;
    this.disk =
        new DiskWatch(
            tools.disk(),
            settings.workers(),
            settings.diskFloor(),
            DiskLog.open(settings.output().resolve("disk.jsonl"), resumed),
            ticker);
    this.lastCheck = ticker.nanos();
  }

  /**
   * Builds what the plan holds, in its order; returns the records written, and why it stopped
   * early, if it did.
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
      dispatch(new ArrayDeque<>(plan), pool);
      while (!flights.isEmpty()) {
        idle();
      }
    } finally {
      pool.shutdown();
      awaitWorkers(pool);
      work.close();
      disk.close();
    }
    return new Result(
        state.records(), state.stopped().map(s -> s.id), state.down(), diskWaitNanos / 1e9);
  }

  /**
   * Starts nothing new and interrupts the images in flight, which record themselves as failed;
   * {@link #run} then returns within seconds. Safe from any thread (a shutdown hook).
   */
  void cancel() {
    state.stop(BuildState.Stop.CANCELLED);
    for (Flight f : flights.values()) {
      Future<?> future = f.future()[0];
      if (future != null) {
        future.cancel(true);
      }
    }
  }

  /**
   * {@code unreachable} names what stopped answering (the daemon or the registry) when the run
   * stopped for it; {@code diskWaitSeconds} is how long the next image was held back for disk.
   */
  record Result(
      List<ManifestRecord> records,
      Optional<String> stoppedEarly,
      Optional<String> unreachable,
      double diskWaitSeconds) {}

  private void dispatch(Deque<PlannedImage> queue, ExecutorService pool) {
    while (!queue.isEmpty() && state.stopped().isEmpty()) {
      if (flights.size() >= settings.workers()) {
        idle();
        continue;
      }
      if (state.pastDeadline()) {
        state.stop(BuildState.Stop.DEADLINE);
        break;
      }
      Admission next = admit();
      if (next == Admission.STOP) {
        break;
      }
      if (next == Admission.WAIT) {
        long waitBegin = ticker.nanos();
        while (!idle() && state.stopped().isEmpty()) {
          // Until a worker finishes: the image it built is gone from the disk.
        }
        diskWaitNanos += ticker.nanos() - waitBegin;
        recheck = true;
        continue;
      }
      start(queue.poll(), pool);
    }
  }

  /** Starts {@code image} in the lowest free lane. */
  private void start(PlannedImage image, ExecutorService pool) {
    int lane = 0;
    while (flights.containsKey(lane)) {
      lane++;
    }
    Future<?>[] future = new Future<?>[1];
    Flight flight = new Flight(lane, image, future);
    starts++;
    lastStart = ticker.nanos();
    disk.started(image.instance());
    flights.put(lane, flight);
    future[0] =
        pool.submit(
            () -> {
              try {
                work.run(image, flight.lane());
              } finally {
                finished.add(flight);
              }
            });
  }

  /**
   * Whether the next image may start: the disk check when due (every {@code --batch-size} starts,
   * after a wait, or when the last measurement was under the floor), then the floor and the growth
   * of what would be in flight.
   */
  private Admission admit() {
    if (!disk.enabled()) {
      return Admission.GO;
    }
    if (recheck || disk.under() || starts - startsAtCheck >= settings.batchSize()) {
      check();
    }
    recheck = false;
    if (!checked) {
      return Admission.GO; // Until the first check, preflight's gate vouches for the disk.
    }
    if (!disk.under() && (!disk.fits() || (disk.cheap() && disk.measuredAt() < lastStart))) {
      disk.sample(); // What the images started since the last measurement grew so far.
    }
    if (!disk.under() && disk.fits()) {
      waitSaid = false;
      return Admission.GO;
    }
    if (flights.isEmpty()) {
      sayStop();
      state.stop(BuildState.Stop.DISK);
      return Admission.STOP;
    }
    sayWait();
    return Admission.WAIT;
  }

  /** Measures and, under the floor, prunes; says so when it prunes. */
  private void check() {
    startsAtCheck = starts;
    lastCheck = ticker.nanos();
    checked = true;
    DiskFloor.Check check = disk.check();
    if (check.pruned()) {
      progress.say(
          "imagefleet: "
              + Units.gib(check.before().orElseThrow().freeBytes())
              + " free on "
              + check.before().orElseThrow().path()
              + ", below --min-free-gb; pruning build cache");
    }
  }

  /**
   * Waits up to one slice for a worker to finish, measuring disk when due meanwhile; true when one
   * (or more) finished.
   */
  private boolean idle() {
    boolean any = false;
    try {
      Flight done = finished.poll(tuning.slice().toNanos(), TimeUnit.NANOSECONDS);
      while (done != null) {
        any |= collect(done);
        done = finished.poll();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      cancel();
    }
    for (Flight f : flights.values()) {
      if (f.future()[0] != null && f.future()[0].isCancelled()) {
        any |= collect(f); // Cancelled by cancel(): the worker records the image itself.
      }
    }
    measureWhenDue();
    return any;
  }

  private void measureWhenDue() {
    if (!disk.enabled()) {
      return;
    }
    long now = ticker.nanos();
    if (now - lastCheck >= tuning.checkEvery().toNanos()) {
      check();
      return;
    }
    Duration every = disk.cheap() ? tuning.sampleEvery() : tuning.sampleEveryByHelper();
    if (!flights.isEmpty() && now - disk.measuredAt() >= every.toNanos()) {
      disk.sample();
    }
  }

  /** Frees the lane of a finished image; a worker's unexpected error ends the run. */
  private boolean collect(Flight flight) {
    if (!flights.remove(flight.lane(), flight)) {
      return false;
    }
    disk.finished(flight.image().instance());
    try {
      flight.future()[0].get(); // Its task is at its end (or cancelled): no wait to speak of.
    } catch (CancellationException e) {
      // Cancelled by cancel(): the worker records the image itself.
    } catch (ExecutionException e) {
      throw e.getCause() instanceof RuntimeException r
          ? r
          : new IllegalStateException(e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return true;
  }

  private void sayWait() {
    if (waitSaid) {
      return;
    }
    waitSaid = true;
    progress.say(
        "imagefleet: "
            + disk.free().map(Units::gib).orElse("unknown")
            + " free, "
            + flights.size()
            + " image(s) in flight growing up to "
            + Units.gib(disk.expectedGrowth())
            + " each; waiting for one to finish before starting more");
  }

  private void sayStop() {
    long free = disk.free().orElse(0L);
    if (disk.under()) {
      progress.say(
          "imagefleet: still " + Units.gib(free) + " free after pruning; starting nothing new");
    } else {
      progress.say(
          "imagefleet: "
              + Units.gib(free)
              + " free; one more image (growing up to "
              + Units.gib(disk.expectedGrowth())
              + ") would go under --min-free-gb ("
              + Units.gib(disk.floor().floorBytes())
              + "); starting nothing new");
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

  private static long sizeOf(Path file) {
    try {
      return Files.isRegularFile(file) ? Files.size(file) : 0;
    } catch (java.io.IOException e) {
      return 0;
    }
  }
}
