package io.imagefleet.cli;

import io.imagefleet.fleet.BuildReporter;
import java.util.Optional;
import picocli.CommandLine.Option;

/** build's options that report to GitHub: a commit status and a summary comment. */
final class ReportOptions {
  @Option(
      names = "--report-status",
      description = "Set a commit status imagefleet/BENCHMARK on the SDK commit in --report-repo.")
  boolean reportStatus;

  @Option(
      names = "--report-repo",
      paramLabel = "OWNER/NAME",
      description =
          "Repository of the SDK commit for --report-status (default: --sdk-repo, else GITHUB_REPOSITORY).")
  String reportRepo;

  @Option(
      names = "--report-comment",
      paramLabel = "OWNER/NAME#N",
      description =
          "Post the summary as a comment on issue or pull request N, updating its own earlier one.")
  String reportComment;

  boolean any() {
    return reportStatus || reportComment != null;
  }

  Optional<String> comment() {
    return Optional.ofNullable(reportComment);
  }

  BuildReporter.Request request(
      String benchmark, Optional<String> sdkRepo, int maxFailures, String target) {
    return new BuildReporter.Request(
        reportStatus,
        Optional.ofNullable(reportRepo),
        sdkRepo,
        comment(),
        benchmark,
        maxFailures,
        target);
  }
}
