package io.imagefleet.report;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Failed images grouped by reason (the error's first line with digests, numbers and quoted names
 * blurred) under the first one's message as written, each with its error and the tail of its log.
 * Everything shown is data: escaped.
 */
final class FailureGroups {
  static final int TAIL_LINES = 30;
  static final int MAX_TAILS = 200;
  private static final int TAIL_BYTES = 64 * 1024;
  private static final Pattern DIGEST = Pattern.compile("sha256:[0-9a-f]{6,}|[0-9a-f]{12,}");
  private static final Pattern QUOTED = Pattern.compile("'[^']*'|\"[^\"]*\"");
  private static final Pattern NUMBER = Pattern.compile("\\d+(\\.\\d+)?");

  /** A failed image and the shard whose logs hold its log. */
  record Failure(Shard shard, ImageRecord record) {}

  private FailureGroups() {}

  static String html(List<Shard> shards) {
    Map<String, List<Failure>> groups = new LinkedHashMap<>();
    shards.forEach(
        shard ->
            shard.records().stream()
                .filter(r -> r.is("failed"))
                .sorted(Comparator.comparing(ImageRecord::instance))
                .forEach(
                    r ->
                        groups
                            .computeIfAbsent(reason(r.error()), k -> new ArrayList<>())
                            .add(new Failure(shard, r))));
    if (groups.isEmpty()) {
      return "<p class=\"none\">No image failed.</p>\n";
    }
    StringBuilder html = new StringBuilder();
    int[] tails = {0};
    groups.entrySet().stream()
        .sorted(
            Comparator.comparingInt((Map.Entry<String, List<Failure>> e) -> -e.getValue().size()))
        .forEach(
            e -> {
              html.append("<section class=\"reason\"><h3>")
                  .append(Html.escape(heading(e.getValue())))
                  .append(" <span class=\"n\">")
                  .append(e.getValue().size())
                  .append("</span>")
                  .append(alike(e.getValue()))
                  .append("</h3>\n");
              e.getValue().forEach(f -> html.append(failure(f, shards.size() > 1, tails)));
              html.append("</section>\n");
            });
    return html.toString();
  }

  private static String failure(Failure f, boolean named, int[] tails) {
    ImageRecord r = f.record();
    Path log = f.shard().log(r.instance());
    String where = (named ? f.shard().name() + "/" : "") + "logs/" + log.getFileName();
    StringBuilder html =
        new StringBuilder("<details class=\"failure\"><summary><code>")
            .append(Html.escape(Html.cut(r.instance(), 200)))
            .append("</code> · ")
            .append(r.attempts())
            .append(r.attempts() == 1 ? " attempt" : " attempts")
            .append(" · ")
            .append(Html.escape(Html.cut(firstLine(r.error()), 200)))
            .append("</summary>\n");
    html.append("<p>Error: <code>")
        .append(Html.escape(Html.cut(r.error(), 4000)))
        .append("</code></p>\n<p>Log: <code>")
        .append(Html.escape(where))
        .append("</code></p>\n");
    if (tails[0]++ < MAX_TAILS) {
      html.append("<pre>").append(Html.escape(tail(log))).append("</pre>\n");
    }
    return html.append("</details>\n").toString();
  }

  /**
   * A group's heading: its first failure's message as written (blurring it into a pattern mangles
   * it: {@code HTTP N Status N: {'…'}}); the group is what that pattern matched.
   */
  private static String heading(List<Failure> group) {
    String line = firstLine(group.get(0).record().error());
    return line.isBlank() ? "(no error recorded)" : Html.cut(line, 160);
  }

  /** Says so when the group's messages differ (in numbers, digests or quoted names only). */
  private static String alike(List<Failure> group) {
    long distinct = group.stream().map(f -> firstLine(f.record().error())).distinct().count();
    return distinct == 1
        ? ""
        : " <span class=\"alike\">and "
            + (distinct - 1)
            + " more message(s) differing only in numbers, digests or quoted names</span>";
  }

  /** What failures share: the first line, with what differs between images blurred. */
  static String reason(String error) {
    String line = firstLine(error);
    if (line.isBlank()) {
      return "(no error recorded)";
    }
    line = DIGEST.matcher(line).replaceAll("…");
    line = QUOTED.matcher(line).replaceAll("'…'");
    return Html.cut(NUMBER.matcher(line).replaceAll("N"), 160);
  }

  private static String firstLine(String error) {
    return error == null ? "" : error.strip().lines().findFirst().orElse("");
  }

  /** The last lines of a log; only its end is read, and bad UTF-8 becomes U+FFFD. */
  static String tail(Path log) {
    if (!Files.isRegularFile(log)) {
      return "(no log at " + log.getFileName() + ")";
    }
    try (RandomAccessFile file = new RandomAccessFile(log.toFile(), "r")) {
      long from = Math.max(0, file.length() - TAIL_BYTES);
      byte[] bytes = new byte[(int) (file.length() - from)];
      file.seek(from);
      file.readFully(bytes);
      List<String> lines = new String(bytes, StandardCharsets.UTF_8).lines().toList();
      if (from > 0 && !lines.isEmpty()) {
        lines = lines.subList(1, lines.size());
      }
      return String.join("\n", lines.subList(Math.max(0, lines.size() - TAIL_LINES), lines.size()));
    } catch (IOException e) {
      return "(log unreadable: " + e.getMessage() + ")";
    }
  }
}
