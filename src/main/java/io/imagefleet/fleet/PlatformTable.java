package io.imagefleet.fleet;

import io.imagefleet.actions.Markdown;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A multi-platform run per platform: how many images' indexes have it, how many bases lacked it
 * ({@code --missing-platform skip}), how many images failed; and which instances lack which
 * platform. Empty for a one-platform run (no record names platforms).
 */
public record PlatformTable(List<Row> rows, Map<String, List<String>> lacking) {
  static final int LISTED = 50;

  public PlatformTable {
    rows = List.copyOf(rows);
    lacking = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(lacking));
  }

  /** One platform's counts. */
  public record Row(String platform, int present, int missing, int failed) {}

  static PlatformTable of(List<ManifestRecord> records) {
    Map<String, int[]> counts = new LinkedHashMap<>();
    Map<String, List<String>> lacking = new LinkedHashMap<>();
    int failed = 0;
    for (ManifestRecord r : records) {
      if (r.status() == ManifestRecord.Status.FAILED) {
        failed++;
      }
      for (String p : orEmpty(r.platforms())) {
        counts.computeIfAbsent(p, k -> new int[2])[0]++;
      }
      for (String p : orEmpty(r.missingPlatforms())) {
        counts.computeIfAbsent(p, k -> new int[2])[1]++;
        lacking.computeIfAbsent(r.instance(), k -> new ArrayList<>()).add(p);
      }
    }
    List<Row> rows = new ArrayList<>();
    int failures = failed;
    counts.forEach((p, c) -> rows.add(new Row(p, c[0], c[1], failures)));
    return new PlatformTable(rows, lacking);
  }

  private static List<String> orEmpty(List<String> list) {
    return list == null ? List.of() : list;
  }

  boolean isEmpty() {
    return rows.isEmpty();
  }

  /** The table, then the instances whose base lacked a platform (the first 50). */
  String markdown() {
    if (rows.isEmpty()) {
      return "";
    }
    StringBuilder md =
        new StringBuilder(
            "\n| platform | in the image | base lacks it (skipped) | image failed |\n"
                + "|---|---|---|---|\n");
    rows.forEach(
        r ->
            md.append("| ")
                .append(Markdown.text(r.platform()))
                .append(" | ")
                .append(r.present())
                .append(" | ")
                .append(r.missing())
                .append(" | ")
                .append(r.failed())
                .append(" |\n"));
    if (!lacking.isEmpty()) {
      md.append("\n| instance | platforms its base lacks |\n|---|---|\n");
      lacking.entrySet().stream()
          .limit(LISTED)
          .forEach(
              e ->
                  md.append("| ")
                      .append(Markdown.text(e.getKey()))
                      .append(" | ")
                      .append(Markdown.text(String.join(", ", e.getValue())))
                      .append(" |\n"));
      if (lacking.size() > LISTED) {
        md.append("\n…and ")
            .append(lacking.size() - LISTED)
            .append(" more in manifest.jsonl (missingPlatforms)\n");
      }
    }
    return md.toString();
  }
}
