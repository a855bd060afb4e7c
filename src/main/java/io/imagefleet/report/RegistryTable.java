package io.imagefleet.report;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Per registry, summed over the shards: requests, rate-limit answers (429s) and seconds waited for
 * the budget, from summary.json's {@code registries}. Older summaries without it add nothing.
 */
final class RegistryTable {
  private RegistryTable() {}

  private record Row(long requests, long rateLimited, double secondsWaited) {
    Row plus(Row other) {
      return new Row(
          requests + other.requests,
          rateLimited + other.rateLimited,
          secondsWaited + other.secondsWaited);
    }
  }

  static Map<String, Row> rows(List<Shard> shards) {
    Map<String, Row> rows = new TreeMap<>();
    for (Shard shard : shards) {
      JsonNode registries = shard.summary().map(s -> s.path("registries")).orElse(null);
      if (registries == null || !registries.isArray()) {
        continue;
      }
      for (JsonNode r : registries) {
        if (!r.isObject() || !r.path("host").isTextual()) {
          continue;
        }
        Row row =
            new Row(
                r.path("requests").asLong(0),
                r.path("rateLimited").asLong(0),
                r.path("secondsWaited").asDouble(0));
        rows.merge(r.path("host").asText(), row, Row::plus);
      }
    }
    return rows;
  }

  /** The table, or nothing when no summary recorded a registry. */
  static String html(List<Shard> shards) {
    Map<String, Row> rows = rows(shards);
    if (rows.isEmpty()) {
      return "";
    }
    StringBuilder html =
        new StringBuilder(
            "<h2>Registries</h2>\n<table class=\"registries\"><tr><th>registry</th>"
                + "<th>requests</th><th>rate-limited (429)</th><th>waited for the budget</th>"
                + "</tr>\n");
    rows.forEach(
        (host, row) ->
            html.append("<tr><td>")
                .append(Html.escape(host))
                .append(
                    String.format(
                        Locale.ROOT,
                        "</td><td>%d</td><td>%d</td><td>%.1f s</td></tr>\n",
                        row.requests(),
                        row.rateLimited(),
                        row.secondsWaited())));
    return html.append("</table>\n").toString();
  }
}
