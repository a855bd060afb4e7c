package io.imagefleet.fleet;

import io.imagefleet.ImagefleetException;
import io.imagefleet.github.BuildReport;
import io.imagefleet.github.GitHubApi;
import io.imagefleet.registry.ImageReference;
import java.util.Map;
import java.util.Optional;

/** Tells GitHub how a build went: a commit status on the SDK commit, and a summary comment. */
public final class BuildReporter {
  /**
   * What to report: a status (in {@code statusRepository}, else the SDK's repository, else
   * GITHUB_REPOSITORY) and a comment on {@code OWNER/NAME#N}.
   */
  public record Request(
      boolean status,
      Optional<String> statusRepository,
      Optional<String> sdkRepository,
      Optional<String> comment,
      String benchmark,
      int maxFailures,
      String target) {}

  private final GitHubApi github;
  private final Request request;
  private final Map<String, String> environment;

  public BuildReporter(GitHubApi github, Request request, Map<String, String> environment) {
    this.github = github;
    this.request = request;
    this.environment = environment;
  }

  /** Exit 2 when --report-comment is no OWNER/NAME#N; checked before anything is built. */
  public static void checkComment(Optional<String> comment) {
    if (comment.isPresent() && !comment.get().matches("[\\w.-]+/[\\w.-]+#\\d+")) {
      throw ImagefleetException.invalidInput(
          "--report-comment must look like OWNER/NAME#N, got '" + comment.get() + "'");
    }
  }

  public void report(BuildSummary summary, String commit, ImageReference repository) {
    Optional<String> runUrl = BuildReport.runUrl(environment);
    if (request.status()) {
      setStatus(summary, commit, runUrl);
    }
    if (request.comment().isPresent()) {
      String[] parts = request.comment().get().split("#");
      String pattern = ImageTags.pattern(repository.repositoryName(), commit, request.target());
      github.upsertComment(
          parts[0],
          Integer.parseInt(parts[1]),
          BuildReport.marker(request.benchmark()),
          BuildReport.comment(request.benchmark(), pattern, summary.markdown(), runUrl));
    }
  }

  private void setStatus(BuildSummary summary, String commit, Optional<String> runUrl) {
    String where =
        request
            .statusRepository()
            .or(request::sdkRepository)
            .or(() -> Optional.ofNullable(environment.get("GITHUB_REPOSITORY")))
            .orElseThrow(
                () ->
                    ImagefleetException.invalidInput(
                        "--report-status needs --report-repo (or --sdk-repo, or GITHUB_REPOSITORY)"));
    github.setStatus(
        where,
        commit,
        BuildReport.state(
            summary.failed(), summary.stoppedEarly().isPresent(), request.maxFailures()),
        runUrl.orElse(null),
        BuildReport.description(
            summary.built(), summary.skipped(), summary.failed(), summary.notStarted()),
        BuildReport.context(request.benchmark()));
  }
}
