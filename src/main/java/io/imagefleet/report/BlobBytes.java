package io.imagefleet.report;

import io.imagefleet.ImageMeter;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * What the images' blobs cost: bytes moved (pulled, streamed, uploaded) against bytes reused
 * (mounted, already present), over the images whose builder counts them (append, phased).
 */
record BlobBytes(Map<String, Long> byKind, int images, int of) {

  static BlobBytes of(List<ImageRecord> records) {
    Map<String, Long> byKind = new LinkedHashMap<>();
    for (ImageMeter.Bytes kind : ImageMeter.Bytes.values()) {
      byKind.put(kind.id(), 0L);
    }
    Set<String> seen = new HashSet<>();
    int counted = 0;
    for (ImageRecord r : records) {
      if (!r.blobBytes().isEmpty()) {
        counted++;
        r.blobBytes()
            .forEach(
                (kind, n) -> {
                  if (byKind.containsKey(kind)) {
                    byKind.merge(kind, n, Long::sum);
                    seen.add(kind);
                  }
                });
      }
    }
    byKind.keySet().retainAll(seen); // Only the kinds a builder counted: the rest are unknown.
    return new BlobBytes(byKind, counted, records.size());
  }

  long moved() {
    return sum(true);
  }

  long reused() {
    return sum(false);
  }

  double reusedShare() {
    long all = moved() + reused();
    return all == 0 ? 0 : reused() / (double) all;
  }

  private long sum(boolean moved) {
    long sum = 0;
    for (ImageMeter.Bytes kind : ImageMeter.Bytes.values()) {
      if (kind.moved() == moved) {
        sum += byKind.getOrDefault(kind.id(), 0L);
      }
    }
    return sum;
  }

  /** The section: a moved-against-reused bar and the table per kind, or why there is none. */
  String html() {
    StringBuilder html = new StringBuilder("<h2>Blob bytes: moved and reused</h2>\n");
    if (images == 0) {
      return html.append(
              "<p class=\"none\">Not counted: the engine and buildx builders pull and push"
                  + " through the Docker daemon, which doesn't say (append and phased count).</p>\n")
          .toString();
    }
    long all = moved() + reused();
    html.append(
        String.format(
            Locale.ROOT,
            "<p class=\"legend\">Over %d of %d image(s): %s moved, %s reused (%.0f%%)."
                + "<span class=\"key moved\"></span>moved<span class=\"key reused\"></span>"
                + "reused</p>\n",
            images,
            of,
            human(moved()),
            human(reused()),
            100 * reusedShare()));
    if (all > 0) {
      double w = 1000.0 * moved() / all;
      html.append(
              "<svg class=\"bytes\" viewBox=\"0 0 1000 28\" role=\"img\""
                  + " aria-label=\"bytes moved and reused\">\n")
          .append(bar("moved", 0, w, "moved: " + human(moved())))
          .append(bar("reused", w, 1000 - w, "reused: " + human(reused())))
          .append("</svg>\n");
    }
    html.append("<table class=\"bytes\"><tr><th>bytes</th><th>amount</th><th>share</th></tr>\n");
    byKind.forEach(
        (kind, n) ->
            html.append("<tr><td>")
                .append(Html.escape(kind))
                .append("</td><td>")
                .append(human(n))
                .append(
                    String.format(
                        Locale.ROOT,
                        "</td><td>%.0f%%</td></tr>\n",
                        all == 0 ? 0 : 100.0 * n / all)));
    return html.append("</table>\n").toString();
  }

  private static String bar(String kind, double x, double w, String title) {
    if (w <= 0) {
      return "";
    }
    return "<rect class=\""
        + kind
        + "\" x=\""
        + Html.num(x)
        + "\" y=\"2\" width=\""
        + Html.num(Math.max(0.3, w))
        + "\" height=\"24\"><title>"
        + Html.escape(title)
        + "</title></rect>\n";
  }

  static String human(long bytes) {
    if (bytes < 1024) {
      return bytes + " B";
    }
    if (bytes < 1024 * 1024) {
      return String.format(Locale.ROOT, "%.1f KiB", bytes / 1024.0);
    }
    if (bytes < 1L << 30) {
      return String.format(Locale.ROOT, "%.1f MiB", bytes / (1024.0 * 1024));
    }
    return Html.gib(bytes);
  }
}
