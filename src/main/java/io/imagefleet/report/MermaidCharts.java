package io.imagefleet.report;

import io.imagefleet.actions.Markdown;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Charts GitHub renders in a step summary or comment: Mermaid blocks whose every label is
 * imagefleet's own text (status names, rank numbers), never data; a table beside the bar chart maps
 * ranks to instance ids, escaped as Markdown.
 */
public final class MermaidCharts {
  private MermaidCharts() {}

  /** A pie of image statuses; slices of zero are left out, and with nothing to show, no chart. */
  public static String statusPie(Map<String, Integer> counts) {
    Map<String, Integer> shown = new LinkedHashMap<>();
    counts.forEach(
        (status, n) -> {
          if (n > 0) {
            shown.put(label(status), n);
          }
        });
    if (shown.isEmpty()) {
      return "";
    }
    StringBuilder chart = new StringBuilder("\n```mermaid\npie showData title Images by status\n");
    shown.forEach(
        (status, n) ->
            chart.append("    \"").append(status).append("\" : ").append(n).append('\n'));
    return chart.append("```\n").toString();
  }

  /** A bar chart of the slowest images' seconds, labelled by rank (1 = slowest). */
  public static String slowestBars(List<Double> seconds) {
    if (seconds.isEmpty()) {
      return "";
    }
    StringBuilder ranks = new StringBuilder();
    StringBuilder values = new StringBuilder();
    for (int i = 0; i < seconds.size(); i++) {
      ranks.append(i == 0 ? "" : ", ").append('"').append(i + 1).append('"');
      values.append(i == 0 ? "" : ", ").append(Html.num(Math.max(0, seconds.get(i))));
    }
    return "\n```mermaid\nxychart-beta\n    title \"Slowest images (seconds; rank as in the table)\"\n"
        + "    x-axis \"rank\" ["
        + ranks
        + "]\n    y-axis \"seconds\"\n    bar ["
        + values
        + "]\n```\n";
  }

  /**
   * The line that says where the full report is: the artifact when the workflow names it (with the
   * run's artifacts section when known), else the output directory.
   */
  public static String reportLine(Path output, Optional<String> artifact, Optional<String> runUrl) {
    String where =
        artifact
            .map(
                a ->
                    "in the artifact `"
                        + Markdown.text(a).replace("`", "")
                        + "`"
                        + runUrl
                            .filter(u -> u.matches("https://[^\\s()<>\\[\\]]+"))
                            .map(u -> " of [this run](" + u + "#artifacts)")
                            .orElse(""))
            .orElse("in " + Markdown.text(output.toString()));
    return "\nFull report (timeline per worker, durations, free disk, failures with log tails): "
        + "report.html "
        + where
        + ".\n";
  }

  private static String label(String status) {
    // Status names are imagefleet's own words; anything else is shown as a neutral label.
    return status.matches("[a-z][a-z ()]{0,30}") ? status : "other";
  }
}
