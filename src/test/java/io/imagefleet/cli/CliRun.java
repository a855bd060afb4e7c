package io.imagefleet.cli;

import io.imagefleet.actions.ActionsEnvironment;
import io.imagefleet.github.RunFollower;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;

/** Runs the CLI in-process, as {@link Main} does, and captures what it printed. */
public record CliRun(int exitCode, String out, String err) {
  private static final java.time.Duration QUICK = java.time.Duration.ofMillis(20);

  public static CliRun run(String... args) {
    return run(Map.of(), args);
  }

  public static CliRun run(Map<String, String> env, String... args) {
    return run(env, io.imagefleet.Backoff::pause, args);
  }

  /** With waits between polls cut to 20 ms, whatever the command asks for. */
  public static CliRun runQuickPolls(Map<String, String> env, String... args) {
    return run(env, d -> io.imagefleet.Backoff.pause(d.compareTo(QUICK) < 0 ? d : QUICK), args);
  }

  private static CliRun run(Map<String, String> env, RunFollower.Sleeper sleeper, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code =
        Cli.create(new PrintWriter(out), new PrintWriter(err), new ActionsEnvironment(env), sleeper)
            .execute(args);
    return new CliRun(code, out.toString(), err.toString());
  }
}
