package io.imagefleet.mirror;

import io.imagefleet.ImagefleetException;
import io.imagefleet.LocalFailure;
import io.imagefleet.PeerFailure;
import io.imagefleet.SafeFiles;
import io.imagefleet.registry.BlobCopier;
import io.imagefleet.registry.Deadline;
import io.imagefleet.registry.ImageReference;
import io.imagefleet.registry.Platform;
import io.imagefleet.registry.RegistryFailure;
import io.imagefleet.registry.RegistrySession;
import io.imagefleet.registry.RegistryTransport;
import io.imagefleet.registry.Repository;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code imagefleet mirror}: every base of a selection into one repository, {@code concurrency} at
 * a time. Push rights are proven before anything moves; a base that fails (gone, refused) is
 * recorded and the others go on; each finished base is a line of {@code mirror.jsonl} at once, so a
 * killed run resumes where it stopped.
 */
public final class Mirror {
  private final RegistrySession session;
  private final BlobCopier copier;
  private final BaseMirror bases;
  private final Repository target;
  private final ImageReference repository;
  private final int concurrency;
  private final Duration timeout;

  private Mirror(
      RegistrySession session,
      BlobCopier copier,
      BaseMirror bases,
      ImageReference repository,
      Repository target,
      int concurrency,
      Duration timeout) {
    this.session = session;
    this.copier = copier;
    this.bases = bases;
    this.repository = repository;
    this.target = target;
    this.concurrency = concurrency;
    this.timeout = timeout;
  }

  /**
   * A mirror into {@code repository} over the command's one transport: indexes whole without {@code
   * platforms}, else just theirs ({@link BaseMirror}).
   */
  public static Mirror of(
      RegistryTransport transport,
      ImageReference repository,
      List<Platform> platforms,
      boolean failOnMissing,
      int concurrency,
      Duration timeout) {
    RegistrySession session = new RegistrySession(transport);
    BlobCopier copier = new BlobCopier(session, 4, Duration.ofSeconds(1));
    return new Mirror(
        session,
        copier,
        new BaseMirror(session, copier, transport.insecure(), platforms, failOnMissing),
        repository,
        Repository.of(repository, transport.insecure()),
        concurrency,
        timeout);
  }

  /** Every base's record, in the order given, and the run's time. */
  public record Result(List<MirrorRecord> records, Duration elapsed, BlobCopier.Stats moved) {
    public long count(String status) {
      return records.stream().filter(r -> r.status().equals(status)).count();
    }

    /** Bases that lack a wanted platform. */
    public long missingPlatform() {
      return records.stream().filter(r -> !r.missing().isEmpty()).count();
    }

    /** Bases whose tag got a new index of the wanted platforms. */
    public long newIndexes() {
      return records.stream().filter(MirrorRecord::newIndex).count();
    }

    public long bytes() {
      return records.stream().mapToLong(MirrorRecord::bytes).sum();
    }

    /** Whether every base made it (none failed). */
    public boolean complete() {
      return count(MirrorRecord.FAILED) == 0;
    }
  }

  /** Exit 4 unless these credentials may push to the mirror repository. */
  public void requirePush() {
    try {
      session.requirePush(target, Deadline.after(Duration.ofMinutes(2)));
    } catch (RegistryFailure e) {
      // The transport's own hint says how to log in when the registry asked for it.
      String hint =
          e.getMessage().contains("log in")
              ? ""
              : "; log in with push rights (docker login, or IMAGEFLEET_REGISTRY_USERNAME and"
                  + " IMAGEFLEET_REGISTRY_PASSWORD)";
      throw new PeerFailure(
          "mirror: cannot push to " + repository.repositoryName() + ": " + e.getMessage() + hint);
    }
  }

  public Result run(Map<String, String> tagByBase, Path journal, PrintWriter err) {
    Map<String, MirrorRecord> earlier = MirrorRecord.last(journal);
    long start = System.nanoTime();
    int total = tagByBase.size();
    AtomicInteger done = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, concurrency));
    try {
      List<Future<MirrorRecord>> futures = new ArrayList<>();
      tagByBase.forEach(
          (base, tag) ->
              futures.add(
                  pool.submit(
                      () -> {
                        MirrorRecord record =
                            one(base, tag, Optional.ofNullable(earlier.get(base)));
                        append(journal, record);
                        line(err, done.incrementAndGet(), total, record);
                        return record;
                      })));
      List<MirrorRecord> records = new ArrayList<>();
      for (Future<MirrorRecord> future : futures) {
        records.add(await(future));
      }
      return new Result(records, Duration.ofNanos(System.nanoTime() - start), copier.stats());
    } finally {
      pool.shutdownNow();
    }
  }

  private MirrorRecord one(String base, String tag, Optional<MirrorRecord> earlier) {
    long start = System.nanoTime();
    String image = repository.withTag(tag);
    try {
      BaseMirror.Copy copy =
          bases.copy(base, target, tag, earlier, Deadline.after(timeout), line -> {});
      return new MirrorRecord(
          base,
          image,
          copy.moved() ? MirrorRecord.MIRRORED : MirrorRecord.PRESENT,
          copy.sourceDigest(),
          copy.digest(),
          platform(),
          copy.missing(),
          copy.newIndex(),
          copy.bytes(),
          seconds(start),
          null);
    } catch (RuntimeException | Error e) {
      // As in build, an Error in one base (a stack overflow on hostile JSON, say) fails that base.
      return new MirrorRecord(
          base,
          image,
          MirrorRecord.FAILED,
          null,
          null,
          platform(),
          List.of(),
          false,
          0,
          seconds(start),
          message(e));
    }
  }

  private String platform() {
    return bases.platforms().orElse(null);
  }

  private static String message(Throwable e) {
    return e instanceof ImagefleetException ? e.getMessage() : e.toString();
  }

  private static double seconds(long start) {
    return Math.round((System.nanoTime() - start) / 1e8) / 10.0;
  }

  private static synchronized void append(Path journal, MirrorRecord record) {
    try {
      boolean created = !Files.exists(journal);
      // A line a killed run cut short gets its end, so this record is a line of its own.
      String line = (created || endsWithNewline(journal) ? "" : "\n") + record.json() + "\n";
      Files.writeString(
          journal,
          line,
          StandardCharsets.UTF_8,
          StandardOpenOption.CREATE,
          StandardOpenOption.APPEND);
      if (created) {
        SafeFiles.share(journal);
      }
    } catch (IOException e) {
      throw ImagefleetException.invalidInput(
          "--output " + journal.getParent() + ": cannot write mirror.jsonl: " + e.getMessage());
    }
  }

  private static boolean endsWithNewline(Path file) throws IOException {
    try (SeekableByteChannel channel = Files.newByteChannel(file)) {
      if (channel.size() == 0) {
        return true;
      }
      ByteBuffer last = ByteBuffer.allocate(1);
      channel.position(channel.size() - 1).read(last);
      return last.get(0) == '\n';
    }
  }

  private static synchronized void line(PrintWriter err, int n, int total, MirrorRecord r) {
    int width = String.valueOf(total).length();
    err.printf(
        Locale.ROOT,
        "[%" + width + "d/%d] %-8s %s %.1fs%s%n",
        n,
        total,
        r.status(),
        r.base(),
        r.seconds(),
        r.bytes() > 0 ? " (" + r.bytes() + " bytes streamed)" : "");
    if (r.error() != null) {
      err.println("    " + r.error());
    }
    err.flush();
  }

  private static MirrorRecord await(Future<MirrorRecord> future) {
    try {
      return future.get();
    } catch (ExecutionException e) {
      if (e.getCause() instanceof ImagefleetException failure) {
        throw failure;
      }
      // Anything else from a worker is a programming error: the edge says so (exit 1).
      throw e.getCause() instanceof RuntimeException r
          ? r
          : new IllegalStateException(e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new LocalFailure("mirror: interrupted");
    }
  }
}
