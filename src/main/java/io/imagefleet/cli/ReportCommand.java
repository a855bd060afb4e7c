package io.imagefleet.cli;

import io.imagefleet.actions.ActionsEnvironment;
import io.imagefleet.actions.StepFiles;
import io.imagefleet.report.MermaidCharts;
import io.imagefleet.report.Reports;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
    name = "report",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Makes report.html (timeline per worker, durations, where the time went by phase, blob"
          + " bytes moved and reused, free disk, failures with log tails) from build --output"
          + " directories alone; several directories (shards) make one report. With --compare,"
          + " the report compares the run with a previous one."
    })
final class ReportCommand implements Callable<Integer> {
  private final ActionsEnvironment env;

  @Spec CommandSpec spec;

  @Parameters(
      arity = "1..*",
      paramLabel = "DIR",
      description =
          "A build's --output directory, or a directory of them (downloaded shard artifacts);"
              + " repeatable.")
  List<Path> dirs;

  @Option(
      names = "--output",
      paramLabel = "DIR",
      description = "Where report.html goes (default: the one DIR given, else imagefleet-report).")
  Path output;

  @Option(
      names = "--compare",
      paramLabel = "OLD_DIR",
      description =
          "The --output directory of a previous run (or a directory of its shards): the report"
              + " compares images/h, p50/p90 image seconds, each phase, blob bytes and failures"
              + " with it, and names the images whose time grew most.")
  Path compare;

  ReportCommand(ActionsEnvironment env) {
    this.env = env;
  }

  @Override
  public Integer call() {
    OutputOptions.requireDirectory(output);
    Path target =
        Optional.ofNullable(output)
            .orElse(dirs.size() == 1 ? dirs.get(0) : Path.of("imagefleet-report"))
            .resolve(Reports.FILE);
    Optional<Reports.PreviousRun> previous =
        Optional.ofNullable(compare).map(c -> Reports.PreviousRun.ofDirectories(List.of(c)));
    Reports.Summary summary = Reports.write(dirs, target, previous);
    PrintWriter err = spec.commandLine().getErr();
    err.println(
        "imagefleet report: "
            + summary.shards()
            + (summary.shards() == 1 ? " output directory" : " output directories")
            + ", built "
            + summary.built()
            + ", skipped "
            + summary.skipped()
            + ", failed "
            + summary.failed()
            + "; wrote "
            + target);
    summary.comparison().ifPresent(line -> err.println("imagefleet report: " + line.strip()));
    err.flush();
    new StepFiles(env).appendSummary(markdown(summary));
    return 0;
  }

  private static String markdown(Reports.Summary summary) {
    Map<String, Integer> counts = new LinkedHashMap<>();
    counts.put("built", summary.built());
    counts.put("skipped", summary.skipped());
    counts.put("failed", summary.failed());
    return "### imagefleet report: "
        + summary.shards()
        + (summary.shards() == 1 ? " output directory" : " shards")
        + "\n\n| built | skipped | failed |\n|---|---|---|\n| "
        + summary.built()
        + " | "
        + summary.skipped()
        + " | "
        + summary.failed()
        + " |\n"
        + summary.comparison().orElse("")
        + MermaidCharts.statusPie(counts);
  }
}
