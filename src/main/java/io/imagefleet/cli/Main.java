package io.imagefleet.cli;

import io.imagefleet.actions.ActionsEnvironment;
import io.imagefleet.actions.RunnerSafeWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;

/** The process entry point. */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    PrintWriter out = new PrintWriter(System.out, true, StandardCharsets.UTF_8);
    PrintWriter err = new PrintWriter(System.err, true, StandardCharsets.UTF_8);
    guardUncaught(err);
    int code = Cli.create(out, err, ActionsEnvironment.current()).execute(args);
    out.flush();
    err.flush();
    System.exit(code);
  }

  /**
   * A thread that dies of an exception says so in one guarded line, not a raw stack trace on
   * stderr: its message may carry data, and data must not become a workflow command.
   */
  static void guardUncaught(PrintWriter err) {
    PrintWriter guarded = RunnerSafeWriter.of(err);
    Thread.setDefaultUncaughtExceptionHandler(
        (thread, e) -> {
          guarded.println("imagefleet: thread " + thread.getName() + " failed: " + e);
          guarded.flush();
        });
  }
}
