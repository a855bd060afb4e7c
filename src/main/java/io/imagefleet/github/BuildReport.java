package io.imagefleet.github;

import io.imagefleet.actions.Markdown;
import java.util.Optional;

/** What a build tells GitHub: a commit status on the SDK commit and a summary comment. */
public final class BuildReport {
  private BuildReport() {}

  /** success when nothing failed or stopped early, failure otherwise. */
  public static String state(int failed, boolean stoppedEarly, int maxFailures) {
    return failed > maxFailures || stoppedEarly ? "failure" : "success";
  }

  public static String description(int built, int skipped, int failed, int notStarted) {
    String text =
        built
            + " built, "
            + skipped
            + " skipped, "
            + failed
            + " failed"
            + (notStarted > 0 ? ", " + notStarted + " not started" : "");
    return text.length() <= 140 ? text : text.substring(0, 140);
  }

  public static String context(String benchmark) {
    return "imagefleet/" + benchmark;
  }

  /**
   * The run's URL from GITHUB_SERVER_URL, GITHUB_REPOSITORY and GITHUB_RUN_ID, when all are set.
   */
  public static Optional<String> runUrl(java.util.Map<String, String> env) {
    String server = env.get("GITHUB_SERVER_URL");
    String repository = env.get("GITHUB_REPOSITORY");
    String run = env.get("GITHUB_RUN_ID");
    if (server == null
        || repository == null
        || run == null
        || server.isBlank()
        || repository.isBlank()
        || run.isBlank()) {
      return Optional.empty();
    }
    return Optional.of(server + "/" + repository + "/actions/runs/" + run);
  }

  /** The marker that finds this benchmark's earlier comment; escaped so it cannot close early. */
  public static String marker(String benchmark) {
    return "<!-- imagefleet:" + Markdown.text(benchmark) + " -->";
  }

  /** The comment body; {@code summaryMarkdown} comes escaped from {@code BuildSummary}. */
  public static String comment(
      String benchmark, String tagPattern, String summaryMarkdown, Optional<String> runUrl) {
    return marker(benchmark)
        + "\n"
        + summaryMarkdown.strip()
        + "\n\nImage tags: <code>"
        + Markdown.text(tagPattern)
        + "</code>"
        + runUrl.map(u -> " · [run](" + u + ")").orElse("")
        + "\n";
  }
}
