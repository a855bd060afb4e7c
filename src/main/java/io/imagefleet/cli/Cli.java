package io.imagefleet.cli;

import io.imagefleet.Backoff;
import io.imagefleet.ImagefleetException;
import io.imagefleet.actions.ActionsEnvironment;
import io.imagefleet.actions.RunnerSafeWriter;
import io.imagefleet.github.RunFollower;
import io.imagefleet.registry.RegistryBudgets;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.ParseResult;

/** Builds the one {@link CommandLine} that {@link Main} and the tests run. */
public final class Cli {
  private Cli() {}

  public static CommandLine create(PrintWriter out, PrintWriter err, ActionsEnvironment env) {
    return create(out, err, env, Backoff::pause);
  }

  /**
   * As {@link #create(PrintWriter, PrintWriter, ActionsEnvironment)}, with the wait between polls.
   */
  public static CommandLine create(
      PrintWriter out, PrintWriter err, ActionsEnvironment env, RunFollower.Sleeper sleeper) {
    // One set of registry budgets per process: every command and worker spends from it.
    CommandLine cli =
        new CommandLine(new ImagefleetCommand(), new Factory(env, sleeper, new RegistryBudgets()));
    // Action inputs are data: "@/path" must not read a file, whichever command parses it.
    noAtFiles(cli);
    // Help lines break at spaces only, never inside a reference such as ghcr.io/org/agent.
    cli.setHelpFactory(WholeWordHelp::new);
    // Every line any command or handler prints is guarded: no data can start a workflow command.
    cli.setOut(RunnerSafeWriter.of(out));
    cli.setErr(RunnerSafeWriter.of(err));
    // generate's BENCHMARK is optional to picocli (so `generate retention` is reachable); a value
    // that looks like an option still lands there and is refused naming BENCHMARK.
    cli.getSubcommands().get("generate").setUnmatchedOptionsArePositionalParams(true);
    cli.setExecutionExceptionHandler(Cli::handleExecutionException);
    cli.setParameterExceptionHandler(Cli::handleParameterException);
    cli.setExitCodeExceptionMapper(new ExitCodes());
    Map<String, String> exitCodes = new LinkedHashMap<>();
    for (ExitCode code : ExitCode.values()) {
      exitCodes.put(String.format("%3d", code.code()), code.meaning());
    }
    applyExitCodeList(cli, exitCodes);
    return cli;
  }

  private static void noAtFiles(CommandLine cli) {
    cli.setExpandAtFiles(false);
    cli.getSubcommands().values().forEach(Cli::noAtFiles);
  }

  private static void applyExitCodeList(CommandLine cli, Map<String, String> exitCodes) {
    cli.getCommandSpec()
        .usageMessage()
        .exitCodeListHeading("%nExit codes:%n")
        .exitCodeList(exitCodes);
    cli.getSubcommands().values().forEach(sub -> applyExitCodeList(sub, exitCodes));
  }

  static int handleExecutionException(
      Exception exception, CommandLine commandLine, ParseResult parseResult) {
    PrintWriter err = commandLine.getErr();
    boolean stacktrace = wantsStacktrace(parseResult);
    if (!(exception instanceof ImagefleetException)) {
      exception = ExitCodes.stray(exception).map(Exception.class::cast).orElse(exception);
    }
    if (exception instanceof ImagefleetException failure) {
      err.println("imagefleet: " + failure.getMessage());
      if (stacktrace) {
        failure.printStackTrace(err);
      }
      err.flush();
      return ExitCodes.of(failure).code();
    }
    err.println(
        "imagefleet: internal error: "
            + exception
            + (stacktrace ? "" : " (rerun with --stacktrace for details)"));
    if (stacktrace) {
      exception.printStackTrace(err);
    }
    err.flush();
    return ExitCodes.of(exception).code();
  }

  private static int handleParameterException(
      CommandLine.ParameterException exception, String[] args) {
    CommandLine command = exception.getCommandLine();
    PrintWriter err = command.getErr();
    CommandLine.ParameterException shown = Suggestion.shown(exception);
    err.println(
        "imagefleet: "
            + shown.getMessage()
            + Suggestion.of(shown)
            + " (see '"
            + command.getCommandSpec().qualifiedName()
            + " --help')");
    err.flush();
    return ExitCode.INVALID_INPUT.code();
  }

  private static boolean wantsStacktrace(ParseResult result) {
    for (ParseResult r = result; r != null; r = r.subcommand()) {
      if (r.hasMatchedOption("--stacktrace")) {
        return true;
      }
    }
    return false;
  }

  /** Hands commands the environment they run in, so tests can set INPUT_* and GITHUB_* freely. */
  private record Factory(
      ActionsEnvironment env, RunFollower.Sleeper sleeper, RegistryBudgets budgets)
      implements CommandLine.IFactory {
    @Override
    public <K> K create(Class<K> cls) throws Exception {
      if (cls == GenerateCommand.class) {
        return cls.cast(new GenerateCommand(env));
      }
      if (cls == PreflightCommand.class) {
        return cls.cast(new PreflightCommand(env));
      }
      if (cls == BuildCommand.class) {
        return cls.cast(new BuildCommand(env, budgets));
      }
      if (cls == CheckCommand.class) {
        return cls.cast(new CheckCommand(env, budgets));
      }
      if (cls == MirrorCommand.class) {
        return cls.cast(new MirrorCommand(env, budgets));
      }
      if (cls == GenerateRetentionCommand.class) {
        return cls.cast(new GenerateRetentionCommand(env));
      }
      if (cls == RetainCommand.class) {
        return cls.cast(new RetainCommand(env, sleeper, budgets));
      }
      if (cls == DispatchCommand.class) {
        return cls.cast(new DispatchCommand(env, sleeper));
      }
      if (cls == ReportCommand.class) {
        return cls.cast(new ReportCommand(env));
      }
      if (cls == ActionCommand.class) {
        return cls.cast(new ActionCommand(env));
      }
      return CommandLine.defaultFactory().create(cls);
    }
  }
}
