package io.imagefleet.report;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A multi-platform build per platform, from the manifest records' {@code platforms} and {@code
 * missingPlatforms}: images whose index has it, bases that lacked it, failed images; then the
 * instances lacking one (the first 50). Nothing for one-platform builds.
 */
final class PlatformCoverage {
  private static final int LISTED = 50;

  private PlatformCoverage() {}

  static String html(List<ImageRecord> records) {
    Map<String, int[]> counts = new LinkedHashMap<>();
    Map<String, List<String>> lacking = new LinkedHashMap<>();
    for (ImageRecord r : records) {
      r.platforms().forEach(p -> counts.computeIfAbsent(p, k -> new int[2])[0]++);
      r.missingPlatforms().forEach(p -> counts.computeIfAbsent(p, k -> new int[2])[1]++);
      if (!r.missingPlatforms().isEmpty()) {
        lacking.put(r.instance(), r.missingPlatforms());
      }
    }
    if (counts.isEmpty()) {
      return "";
    }
    long failed = records.stream().filter(r -> r.is("failed")).count();
    StringBuilder html =
        new StringBuilder(
            "<h2>Platforms</h2>\n<table class=\"registries\"><tr><th>platform</th>"
                + "<th>in the image</th><th>base lacks it (skipped)</th><th>image failed</th>"
                + "</tr>\n");
    counts.forEach(
        (platform, c) ->
            html.append("<tr><td>")
                .append(Html.escape(platform))
                .append("</td><td>")
                .append(c[0])
                .append("</td><td>")
                .append(c[1])
                .append("</td><td>")
                .append(failed)
                .append("</td></tr>\n"));
    html.append("</table>\n");
    if (!lacking.isEmpty()) {
      html.append("<p class=\"note\">Bases lacking a platform: ");
      lacking.entrySet().stream()
          .limit(LISTED)
          .forEach(
              e ->
                  html.append(Html.escape(e.getKey()))
                      .append(" (")
                      .append(Html.escape(String.join(", ", e.getValue())))
                      .append("); "));
      if (lacking.size() > LISTED) {
        html.append("and ").append(lacking.size() - LISTED).append(" more in manifest.jsonl");
      }
      html.append("</p>\n");
    }
    return html.toString();
  }
}
