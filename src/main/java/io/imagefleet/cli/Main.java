package io.imagefleet.cli;

import io.imagefleet.actions.ActionsEnvironment;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;

/** The process entry point. */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    PrintWriter out = new PrintWriter(System.out, true, StandardCharsets.UTF_8);
    PrintWriter err = new PrintWriter(System.err, true, StandardCharsets.UTF_8);
    int code = Cli.create(out, err, ActionsEnvironment.current()).execute(args);
    out.flush();
    err.flush();
    System.exit(code);
  }
}
