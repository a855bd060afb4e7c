package io.imagefleet.fleet;

import io.imagefleet.LogTail;
import io.imagefleet.actions.RunnerSafeWriter;
import io.imagefleet.actions.WorkflowCommands;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The console of a build: one line per finished image, a heartbeat when nothing finished for a
 * while, and for failures the log tail (in a group on a runner, with workflow commands stopped
 * around it) with an error annotation. Never the raw build output; every line is guarded by {@link
 * RunnerSafeWriter}, since ids and log tails are data.
 */
final class Progress implements AutoCloseable {
  private final RunnerSafeWriter out;
  private final boolean onRunner;
  private final int total;
  private final long start = System.nanoTime();
  private final AtomicInteger done = new AtomicInteger();
  private final AtomicInteger failed = new AtomicInteger();
  private final AtomicInteger built = new AtomicInteger();
  private final AtomicInteger running = new AtomicInteger();
  private final AtomicLong lastLine = new AtomicLong(System.nanoTime());
  private final ScheduledExecutorService heartbeat;

  /** At a terminal: one status line redrawn in place, and the worker count it shows as busy. */
  private final boolean live;

  private final int workers;
  private int drawn;

  Progress(PrintWriter out, boolean onRunner, int total, long heartbeatSeconds) {
    this(out, onRunner, total, heartbeatSeconds, false, 0);
  }

  /** For a person at a terminal: a live line redrawn every second and as images finish. */
  static Progress live(PrintWriter out, int total, int workers) {
    return new Progress(out, false, total, 1, true, workers);
  }

  private Progress(
      PrintWriter out,
      boolean onRunner,
      int total,
      long heartbeatSeconds,
      boolean live,
      int workers) {
    this.out = RunnerSafeWriter.of(out);
    this.onRunner = onRunner;
    this.total = total;
    this.live = live;
    this.workers = workers;
    this.heartbeat =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "imagefleet-heartbeat");
              t.setDaemon(true);
              return t;
            });
    heartbeat.scheduleAtFixedRate(
        () -> beat(heartbeatSeconds), heartbeatSeconds, heartbeatSeconds, TimeUnit.SECONDS);
  }

  void started() {
    running.incrementAndGet();
  }

  void finished(ManifestRecord record, Path log) {
    synchronized (this) {
      running.decrementAndGet();
      int n = done.incrementAndGet();
      if (record.status() == ManifestRecord.Status.FAILED) {
        failed.incrementAndGet();
      } else if (record.status() == ManifestRecord.Status.BUILT) {
        built.incrementAndGet();
      }
      if (live) {
        finishedLive(record, log);
        return;
      }
      out.println(
          String.format(
              Locale.ROOT,
              "[%s] %-7s %s %.1fs%s  %s",
              counter(n),
              record.status().id(),
              record.instance(),
              record.seconds(),
              record.attempts() > 1 ? " (" + record.attempts() + " attempts)" : "",
              rates()));
      if (record.status() == ManifestRecord.Status.FAILED) {
        reportFailure(record, log);
      }
      out.flush();
    }
    lastLine.set(System.nanoTime());
  }

  void say(String line) {
    synchronized (this) {
      clearLive();
      out.println(line);
      redraw();
      out.flush();
    }
    lastLine.set(System.nanoTime());
  }

  /** A failure gets one line of its own above the live line; successes only move the line. */
  private void finishedLive(ManifestRecord record, Path log) {
    if (record.status() == ManifestRecord.Status.FAILED) {
      clearLive();
      String error = String.valueOf(record.error()).strip().lines().findFirst().orElse("");
      out.println(
          String.format(
              Locale.ROOT,
              "failed %s after %.1fs: %s (log: %s)",
              record.instance().replaceAll("\\R", " "),
              record.seconds(),
              error,
              log));
    }
    redraw();
    out.flush();
  }

  /** Rewrites the live line in place: carriage return, the line, blanks over a longer old one. */
  private void redraw() {
    if (!live) {
      return;
    }
    String line =
        String.format(
            Locale.ROOT,
            "[%s] %d/%d workers busy %s",
            counter(done.get()),
            running.get(),
            workers,
            rates());
    out.print("\r" + line + " ".repeat(Math.max(0, drawn - line.length())));
    drawn = line.length();
  }

  private void clearLive() {
    if (live && drawn > 0) {
      out.print("\r" + " ".repeat(drawn) + "\r");
      drawn = 0;
    }
  }

  private void reportFailure(ManifestRecord record, Path log) {
    String tail = LogTail.of(log, 30);
    WorkflowCommands commands = new WorkflowCommands(out);
    if (onRunner) {
      commands.grouped("log tail of " + record.instance() + " (" + log + ")", () -> tail);
      commands.error(log.toString(), 0, record.instance() + ": " + record.error());
    } else {
      String.valueOf(record.error()).lines().forEach(l -> out.println("    " + l));
      tail.lines().forEach(l -> out.println("    | " + l));
    }
  }

  private void beat(long seconds) {
    if (live) {
      synchronized (this) {
        redraw();
        out.flush();
      }
      return;
    }
    if (System.nanoTime() - lastLine.get() >= TimeUnit.SECONDS.toNanos(seconds)) {
      say(
          String.format(
              Locale.ROOT, "[%s] %d building  %s", counter(done.get()), running.get(), rates()));
    }
  }

  private String counter(int n) {
    String width = Integer.toString(String.valueOf(total).length());
    return String.format(Locale.ROOT, "%" + width + "d/%d", n, total);
  }

  private String rates() {
    double hours = (System.nanoTime() - start) / 3.6e12;
    double perHour = hours > 0 ? built.get() / hours : 0;
    int left = total - done.get();
    double rate = hours > 0 ? done.get() / hours : 0;
    String eta = rate > 0 ? BuildSummary.clock(left / rate * 3600) : "?";
    return String.format(
        Locale.ROOT, "(failed %d, %.1f images/h, ETA %s)", failed.get(), perHour, eta);
  }

  @Override
  public void close() {
    heartbeat.shutdownNow();
    if (live) {
      synchronized (this) {
        redraw();
        out.println();
        out.flush();
      }
    }
  }
}
