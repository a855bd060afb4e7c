package io.imagefleet.cli;

import io.imagefleet.Benchmark;
import io.imagefleet.ImagefleetException;
import io.imagefleet.actions.ActionsEnvironment;
import io.imagefleet.actions.StepFiles;
import io.imagefleet.workflow.RegenerateCommand;
import io.imagefleet.workflow.Template;
import io.imagefleet.workflow.WorkflowGenerator;
import io.imagefleet.workflow.WorkflowSettings;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
    name = "generate",
    mixinStandardHelpOptions = true,
    subcommands = GenerateRetentionCommand.class,
    sortOptions = false,
    description = {
      "Writes the GitHub Actions workflow that builds a benchmark's images with imagefleet.",
      "Every option becomes the default of a workflow_dispatch / workflow_call input of the same"
          + " name; --shards and --action-ref shape the workflow itself."
    })
final class GenerateCommand implements Callable<Integer> {
  private final ActionsEnvironment env;

  @Spec CommandSpec spec;

  // Optional to picocli so that `generate retention` reaches its subcommand; call() requires it.
  @Parameters(
      index = "0",
      arity = "0..1",
      paramLabel = "BENCHMARK",
      converter = OptionConverters.BenchmarkConverter.class,
      description = "swe-bench or swt-bench.")
  Benchmark benchmark;

  // Each becomes the default of a workflow input of the same name.
  @Mixin WorkflowOptions workflow = new WorkflowOptions();

  @Option(
      names = "--template",
      paramLabel = "FILE",
      description = "Use this template instead of the built-in one.")
  Path template;

  @Option(
      names = {"-o", "--output"},
      paramLabel = "FILE",
      description = "Write the workflow here (default: standard output).")
  String output;

  @Option(
      names = "--check",
      description =
          "Compare with the --output file instead of writing it; exit 6 and print a unified diff when they differ.")
  boolean check;

  GenerateCommand(ActionsEnvironment env) {
    this.env = env;
  }

  @Override
  public Integer call() {
    if (benchmark == null) {
      throw ImagefleetException.invalidInput(
          "Missing required parameter: 'BENCHMARK' (swe-bench or swt-bench; or generate retention)");
    }
    if (check && output == null) {
      throw ImagefleetException.invalidInput("--check needs -o/--output FILE to compare with");
    }
    WorkflowSettings settings = workflow.settings(benchmark);
    RegenerateCommand regenerate =
        new RegenerateCommand(
            settings,
            Optional.ofNullable(template).map(Path::toString),
            Optional.ofNullable(output));
    Template source = template == null ? Template.builtIn(benchmark) : Template.file(template);
    String text = new WorkflowGenerator(source, settings).render(regenerate);
    return new GeneratedFile(spec.commandLine().getOut(), spec.commandLine().getErr())
        .emit(text, output, check, new StepFiles(env));
  }
}
