package io.imagefleet.cli;

import io.imagefleet.ImagefleetException;
import io.imagefleet.Incomplete;
import io.imagefleet.actions.ActionsEnvironment;
import io.imagefleet.actions.StepFiles;
import io.imagefleet.actions.WorkflowCommands;
import io.imagefleet.github.GitHubApi;
import io.imagefleet.github.RunFollower;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "dispatch",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Triggers a workflow_dispatch run, finds the run it created and, with --wait, follows it to"
          + " its conclusion (exit 0 on success, 5 on failure, cancellation or timeout)."
    })
final class DispatchCommand implements Callable<Integer> {
  /** How long a dispatched run may take to show up in the API. */
  private static final Duration APPEAR = Duration.ofMinutes(3);

  private final ActionsEnvironment env;
  private final RunFollower.Sleeper sleeper;

  @Spec CommandSpec spec;

  @Option(
      names = "--repo",
      required = true,
      paramLabel = "OWNER/NAME",
      description = "Repository holding the workflow.")
  String repo;

  @Option(
      names = "--workflow",
      required = true,
      paramLabel = "FILE",
      description = "Workflow file, e.g. swe-bench.yml.")
  String workflow;

  @Option(
      names = "--ref",
      required = true,
      paramLabel = "REF",
      description = "Branch or tag to run it on.")
  String ref;

  @Option(
      names = "--input",
      paramLabel = "K=V",
      description =
          "A workflow input (repeatable); checked against the workflow's declared inputs.")
  Map<String, String> inputs = new LinkedHashMap<>();

  @Option(names = "--wait", description = "Follow the run until it completes.")
  boolean waitForRun;

  @Option(
      names = "--timeout",
      defaultValue = "6h",
      paramLabel = "DURATION",
      description = "How long --wait follows the run (default: ${DEFAULT-VALUE}).")
  String timeout;

  @Option(
      names = "--poll",
      defaultValue = "30s",
      paramLabel = "DURATION",
      description =
          "First wait between polls; it backs off to four times this (default: ${DEFAULT-VALUE}).")
  String poll;

  @Mixin GitHubOptions gitHub = new GitHubOptions();

  DispatchCommand(ActionsEnvironment env, RunFollower.Sleeper sleeper) {
    this.env = env;
    this.sleeper = sleeper;
  }

  @Override
  public Integer call() {
    if (!repo.matches("[\\w.-]+/[\\w.-]+")) {
      throw ImagefleetException.invalidInput(
          "--repo must look like OWNER/NAME, got '" + repo + "'");
    }
    Duration pollEvery = Durations.parse("--poll", poll);
    Duration limit = Durations.parse("--timeout", timeout);
    PrintWriter out = spec.commandLine().getOut();
    GitHubApi github = gitHub.access(env, new WorkflowCommands(out)).connect();
    RunFollower follower = new RunFollower(github, out, sleeper);
    follower.validateInputs(repo, workflow, ref, inputs);
    GitHubApi.RunState run = follower.dispatch(repo, workflow, ref, inputs, pollEvery, APPEAR);
    out.println("run: " + run.url());
    new StepFiles(env).setOutput("run-url", run.url());
    if (!waitForRun) {
      out.flush();
      return ExitCode.OK.code();
    }
    return conclude(follower.follow(repo, run, pollEvery, limit), limit, out);
  }

  /** Prints how the run ended; exit 5 unless it completed with success. */
  private static int conclude(GitHubApi.RunState last, Duration limit, PrintWriter out) {
    if (!last.completed()) {
      throw new Incomplete(
          "run "
              + last.id()
              + " still "
              + last.status()
              + " after "
              + limit.toSeconds()
              + " s (--timeout): "
              + last.url());
    }
    out.println("conclusion: " + last.conclusion());
    last.jobs().forEach(job -> out.println("  " + job.name() + ": " + job.conclusion()));
    out.flush();
    if (!"success".equals(last.conclusion())) {
      throw new Incomplete(
          "run " + last.id() + " concluded " + last.conclusion() + ": " + last.url());
    }
    return ExitCode.OK.code();
  }
}
