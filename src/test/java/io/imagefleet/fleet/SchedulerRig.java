package io.imagefleet.fleet;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import io.imagefleet.docker.CacheMode;
import io.imagefleet.preflight.DataRoot;
import io.imagefleet.preflight.DiskSpace;
import io.imagefleet.registry.Credentials;
import io.imagefleet.registry.ImageReference;
import io.imagefleet.registry.InsecureRegistries;
import io.imagefleet.registry.RegistryClient;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.stream.IntStream;

/**
 * A scheduler under test: a registry stub (every manifest missing, {@code /v2/} answering), a fake
 * clock, and the batch build around whatever fake builder and data root a test gives it.
 */
final class SchedulerRig implements AutoCloseable {
  static final long GIB = 1L << 30;

  final Path dir;
  final HttpServer registry;
  final FakeTicker ticker = new FakeTicker();

  /** What the scheduler reads: the fake clock, unless a test needs time to pass by itself. */
  Ticker clock = ticker;

  final StringWriter console = new StringWriter();

  SchedulerRig(Path dir) throws IOException {
    this.dir = dir;
    registry = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    registry.createContext(
        "/",
        exchange -> {
          int status = exchange.getRequestURI().getPath().equals("/v2/") ? 200 : 404;
          exchange.sendResponseHeaders(status, -1);
          exchange.close();
        });
    registry.start();
    Files.writeString(dir.resolve("Dockerfile"), "FROM scratch\n");
    Files.writeString(dir.resolve("sdk-1.0.tar.gz"), "sdist");
  }

  /** The clock the scheduler reads; it moves only when a test says so. */
  static final class FakeTicker implements Ticker {
    private final AtomicLong nanos = new AtomicLong(1_000_000_000L);

    void advance(Duration by) {
      nanos.addAndGet(by.toNanos());
    }

    @Override
    public long nanos() {
      return nanos.get();
    }

    @Override
    public Instant now() {
      return Instant.parse("2026-11-27T04:00:00Z").plusNanos(nanos.get());
    }
  }

  /** A data root whose free space a test computes; counts measurements and prunes. */
  static final class FakeRoot implements DataRoot {
    final LongSupplier free;
    final boolean direct;
    final List<Integer> measuredAtStarts = new ArrayList<>();
    final LongSupplier starts;
    int prunes;

    FakeRoot(LongSupplier free, boolean direct, LongSupplier starts) {
      this.free = free;
      this.direct = direct;
      this.starts = starts;
    }

    @Override
    public synchronized Optional<DiskSpace> measure() {
      measuredAtStarts.add((int) starts.getAsLong());
      return Optional.of(
          new DiskSpace(
              "/data", "/dev/fake", free.getAsLong(), 100 * GIB, direct ? "direct" : "helper"));
    }

    @Override
    public synchronized long pruneBuildCache(long keepBytes) {
      prunes++;
      return 0;
    }

    @Override
    public boolean prunable() {
      return true;
    }

    synchronized List<Integer> measurements() {
      return List.copyOf(measuredAtStarts);
    }
  }

  BuildSettings settings(int workers, int batchSize, Duration timeout, long floorBytes) {
    return new BuildSettings(
        dir.resolve("Dockerfile"),
        null,
        Map.of(),
        "none",
        false,
        CacheMode.OFF,
        workers,
        batchSize,
        timeout,
        Optional.empty(),
        0,
        Duration.ofMillis(1),
        new io.imagefleet.preflight.DiskFloor(floorBytes, 0),
        false,
        0,
        dir.resolve("out"),
        List.of(),
        List.of(io.imagefleet.registry.Platform.LINUX_AMD64),
        MissingPlatform.SKIP);
  }

  List<PlannedImage> plan(int n) {
    int port = registry.getAddress().getPort();
    return IntStream.range(0, n)
        .mapToObj(
            i ->
                new PlannedImage(
                    "i-" + i,
                    "base:" + i,
                    ImageReference.parse("127.0.0.1:" + port + "/fleet:i-" + i)))
        .toList();
  }

  BatchBuild batch(
      BuildSettings settings, ImageBuilder builder, Optional<DataRoot> root, BatchBuild.Tuning t) {
    RegistryClient client =
        new RegistryClient(Credentials.none(), InsecureRegistries.none(), 1, Duration.ofMillis(1));
    Manifest manifest = Manifest.open(settings.manifest(), false);
    Progress progress = new Progress(new PrintWriter(console, true), false, 100, 3600);
    return new BatchBuild(
        settings,
        new BatchBuild.ImageTools(builder, client, root, Health.NONE, Retagger.NONE),
        manifest,
        progress,
        new ImageContexts(settings, dir.resolve("sdk-1.0.tar.gz"), "0123456789"),
        clock,
        t);
  }

  static BatchBuild.Tuning tuning(Duration checkEvery, Duration sampleEvery, Duration grace) {
    return new BatchBuild.Tuning(checkEvery, sampleEvery, sampleEvery, Duration.ofMillis(5), grace);
  }

  static CompletableFuture<BatchBuild.Result> start(BatchBuild batch, List<PlannedImage> plan) {
    return CompletableFuture.supplyAsync(() -> batch.run(plan));
  }

  static BatchBuild.Result finish(CompletableFuture<BatchBuild.Result> run) throws Exception {
    return run.get(20, TimeUnit.SECONDS);
  }

  List<JsonNode> lines(String file) throws IOException {
    List<JsonNode> nodes = new ArrayList<>();
    for (String line : Files.readAllLines(dir.resolve("out").resolve(file))) {
      nodes.add(Manifest.JSON.readTree(line));
    }
    return nodes;
  }

  @Override
  public void close() {
    registry.stop(0);
  }
}
