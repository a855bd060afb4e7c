package io.imagefleet.cli;

import io.imagefleet.Benchmark;
import io.imagefleet.ImagefleetException;
import io.imagefleet.InputText;
import io.imagefleet.actions.ActionsEnvironment;
import io.imagefleet.actions.StepFiles;
import io.imagefleet.docker.CacheMode;
import io.imagefleet.workflow.RegenerateCommand;
import io.imagefleet.workflow.Template;
import io.imagefleet.workflow.WorkflowGenerator;
import io.imagefleet.workflow.WorkflowSettings;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;

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
      converter = BenchmarkConverter.class,
      description = "swe-bench or swt-bench.")
  Benchmark benchmark;

  @Option(
      names = "--workers",
      paramLabel = "N",
      converter = WholeNumberConverter.class,
      description = "Images built at once (default: the benchmark's profile).")
  Integer workers;

  @Option(
      names = "--batch-size",
      paramLabel = "N",
      converter = WholeNumberConverter.class,
      description = "Images per batch (default: the benchmark's profile).")
  Integer batchSize;

  @Option(
      names = "--cache-mode",
      paramLabel = "MODE",
      converter = CacheModeConverter.class,
      description = "BuildKit cache export: off, min, max or inline (default: off).")
  CacheMode cacheMode;

  @Option(
      names = "--timeout-minutes",
      paramLabel = "N",
      converter = WholeNumberConverter.class,
      description = "Time limit of the build job (default: 340).")
  Integer timeoutMinutes;

  @Option(
      names = "--image-timeout-minutes",
      paramLabel = "N",
      converter = WholeNumberConverter.class,
      description = "Time limit of one image (default: 33).")
  Integer imageTimeoutMinutes;

  @Option(
      names = "--runner",
      paramLabel = "LABEL",
      description = "Runner label of the build job (default: ubuntu-latest).")
  String runner;

  @Option(
      names = "--n-limit",
      paramLabel = "N",
      converter = WholeNumberConverter.class,
      description = "Build at most N instances; 0 = all (default: 0).")
  Integer nLimit;

  @Option(
      names = "--shards",
      paramLabel = "K",
      converter = WholeNumberConverter.class,
      description = "Split the build over a matrix of K jobs plus a merge job (default: 1).")
  Integer shards;

  @Option(
      names = "--dataset",
      paramLabel = "NAME",
      description = "Dataset id or file (default: the benchmark's profile).")
  String dataset;

  @Option(
      names = "--split",
      paramLabel = "NAME",
      description = "Dataset split (default: the benchmark's profile).")
  String split;

  @Option(
      names = "--image",
      paramLabel = "REPO",
      description =
          "Image repository to push to (default: ghcr.io/OWNER/BENCHMARK-agent, decided at run time).")
  String image;

  @Option(
      names = "--action-ref",
      paramLabel = "REF",
      description =
          "What steps `uses:` for imagefleet: OWNER/REPO@REF, ./PATH or docker://IMAGE (default: "
              + WorkflowSettings.DEFAULT_ACTION_REF
              + ").")
  String actionRef;

  @Option(
      names = "--min-free-gb",
      paramLabel = "N",
      converter = WholeNumberConverter.class,
      description =
          "Free disk (GiB) preflight requires before the build starts: the start gate (default: 75).")
  Integer minFreeGb;

  @Option(
      names = "--build-min-free-gb",
      paramLabel = "N",
      converter = WholeNumberConverter.class,
      description =
          "Free disk (GiB) the build keeps while images are in flight: its running floor, given to build as --min-free-gb (default: 20).")
  Integer buildMinFreeGb;

  @Option(
      names = "--keep-storage-gb",
      paramLabel = "N",
      converter = WholeNumberConverter.class,
      description = "Build cache (GiB) kept when pruning (default: 20).")
  Integer keepStorageGb;

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
    WorkflowSettings settings = settings();
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

  private WorkflowSettings settings() {
    WorkflowSettings d = WorkflowSettings.defaults(benchmark);
    return new WorkflowSettings(
        benchmark,
        or(workers, d.workers()),
        or(batchSize, d.batchSize()),
        or(cacheMode, d.cacheMode()),
        or(timeoutMinutes, d.timeoutMinutes()),
        or(imageTimeoutMinutes, d.imageTimeoutMinutes()),
        or(runner, d.runner()),
        or(nLimit, d.nLimit()),
        or(shards, d.shards()),
        or(dataset, d.dataset()),
        or(split, d.split()),
        or(image, d.image()),
        or(actionRef, d.actionRef()),
        or(minFreeGb, d.minFreeGb()),
        or(buildMinFreeGb, d.buildMinFreeGb()),
        or(keepStorageGb, d.keepStorageGb()));
  }

  private static <T> T or(T value, T fallback) {
    return value != null ? value : fallback;
  }

  static final class BenchmarkConverter implements ITypeConverter<Benchmark> {
    @Override
    public Benchmark convert(String value) {
      return Benchmark.byId(value)
          .filter(Benchmark.withWorkflows()::contains)
          .orElseThrow(
              () ->
                  new TypeConversionException(
                      "unknown benchmark "
                          + InputText.quote(value)
                          + "; use swe-bench or swt-bench"));
    }
  }

  /** As picocli's own, but the value is quoted on one line (it may come from an action input). */
  static final class WholeNumberConverter implements ITypeConverter<Integer> {
    @Override
    public Integer convert(String value) {
      try {
        return Integer.valueOf(value);
      } catch (NumberFormatException e) {
        throw new TypeConversionException(InputText.quote(value) + " is not an int");
      }
    }
  }

  static final class CacheModeConverter implements ITypeConverter<CacheMode> {
    @Override
    public CacheMode convert(String value) {
      return CacheMode.byId(value)
          .orElseThrow(
              () ->
                  new TypeConversionException(
                      "unknown cache mode "
                          + InputText.quote(value)
                          + "; use one of "
                          + String.join(", ", CacheMode.ids())));
    }
  }
}
