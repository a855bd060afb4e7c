package io.imagefleet.cli;

import io.imagefleet.actions.ActionsEnvironment;
import io.imagefleet.actions.StepFiles;
import io.imagefleet.workflow.RegenerateCommand;
import io.imagefleet.workflow.RetentionWorkflow;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "retention",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Writes a scheduled workflow that runs imagefleet retain on the SWE-Bench and SWT-Bench agent"
          + " repositories (ghcr.io/OWNER/<benchmark>-agent)."
    })
final class GenerateRetentionCommand implements Callable<Integer> {
  private final ActionsEnvironment env;

  @Spec CommandSpec spec;

  @Option(
      names = "--keep-commits",
      defaultValue = "3",
      paramLabel = "K",
      description = "Default of input keep-commits (default: ${DEFAULT-VALUE}).")
  int keepCommits;

  @Option(
      names = "--keep-days",
      defaultValue = "14",
      paramLabel = "D",
      description = "Default of input keep-days (default: ${DEFAULT-VALUE}).")
  int keepDays;

  @Option(
      names = "--cron",
      defaultValue = "23 4 * * 1",
      paramLabel = "CRON",
      description = "When it runs, in UTC (default: ${DEFAULT-VALUE}).")
  String cron;

  @Option(
      names = "--action-ref",
      defaultValue = "imagefleet/imagefleet@v1",
      paramLabel = "REF",
      description = "What steps `uses:` for imagefleet (default: ${DEFAULT-VALUE}).")
  String actionRef;

  @Option(
      names = {"-o", "--output"},
      paramLabel = "FILE",
      description = "Write the workflow here (default: standard output).")
  String output;

  @Option(
      names = "--check",
      description = "Compare with the --output file instead of writing it; exit 6 on drift.")
  boolean check;

  GenerateRetentionCommand(ActionsEnvironment env) {
    this.env = env;
  }

  @Override
  public Integer call() {
    io.imagefleet.InputText.requireOneLine("--action-ref", actionRef);
    RetentionWorkflow workflow = new RetentionWorkflow(keepCommits, keepDays, cron, actionRef);
    String text = workflow.render(regenerateLine());
    return new GeneratedFile(spec.commandLine().getOut(), spec.commandLine().getErr())
        .emit(text, output, check, new StepFiles(env));
  }

  private String regenerateLine() {
    List<String> words =
        new ArrayList<>(
            List.of(
                "imagefleet",
                "generate",
                "retention",
                "--keep-commits",
                String.valueOf(keepCommits),
                "--keep-days",
                String.valueOf(keepDays),
                "--cron",
                cron,
                "--action-ref",
                actionRef));
    if (output != null) {
      words.addAll(List.of("-o", RegenerateCommand.path(output)));
    }
    return words.stream().map(RegenerateCommand::shellQuote).collect(Collectors.joining(" "));
  }
}
