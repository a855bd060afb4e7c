package io.imagefleet.cli;

import io.imagefleet.actions.ActionsEnvironment;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;

/** Runs the CLI in-process, as {@link Main} does, and captures what it printed. */
public record CliRun(int exitCode, String out, String err) {

  public static CliRun run(String... args) {
    return run(Map.of(), args);
  }

  public static CliRun run(Map<String, String> env, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code =
        Cli.create(new PrintWriter(out), new PrintWriter(err), new ActionsEnvironment(env))
            .execute(args);
    return new CliRun(code, out.toString(), err.toString());
  }
}
