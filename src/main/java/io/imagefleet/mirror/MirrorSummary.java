package io.imagefleet.mirror;

import io.imagefleet.ImagefleetException;
import io.imagefleet.SafeFiles;
import io.imagefleet.actions.Markdown;
import io.imagefleet.registry.ImageReference;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/** What a mirror run did: the console line, mirror.md (and the step summary), the outputs. */
public record MirrorSummary(Mirror.Result result, ImageReference repository) {
  private static final int LISTED = 50;

  public String line() {
    return String.format(
        Locale.ROOT,
        "%d base(s): %d mirrored, %d already there, %d failed; %d bytes streamed, %d blob(s)"
            + " mounted (%.1f s)%s",
        result.records().size(),
        result.count(MirrorRecord.MIRRORED),
        result.count(MirrorRecord.PRESENT),
        result.count(MirrorRecord.FAILED),
        result.bytes(),
        result.moved().mounted(),
        result.elapsed().toMillis() / 1000.0,
        platforms());
  }

  /** With several --platform: the new indexes and the bases lacking a platform, when any. */
  private String platforms() {
    if (result.newIndexes() == 0 && result.missingPlatform() == 0) {
      return "";
    }
    return "; "
        + result.newIndexes()
        + " new index(es) of the wanted platforms, "
        + result.missingPlatform()
        + " base(s) missing a platform";
  }

  public String markdown() {
    List<MirrorRecord> failed =
        result.records().stream().filter(r -> r.status().equals(MirrorRecord.FAILED)).toList();
    StringBuilder md = new StringBuilder("### imagefleet mirror: ");
    md.append(failed.isEmpty() ? "every base is in " : failed.size() + " failed, mirroring to ")
        .append('`')
        .append(Markdown.text(repository.repositoryName()))
        .append(
            "`\n\n| bases | mirrored | already there | failed | bytes streamed | blobs mounted"
                + " | seconds |\n|---|---|---|---|---|---|---|\n| ")
        .append(result.records().size())
        .append(" | ")
        .append(result.count(MirrorRecord.MIRRORED))
        .append(" | ")
        .append(result.count(MirrorRecord.PRESENT))
        .append(" | ")
        .append(failed.size())
        .append(" | ")
        .append(result.bytes())
        .append(" | ")
        .append(result.moved().mounted())
        .append(" | ")
        .append(String.format(Locale.ROOT, "%.1f", result.elapsed().toMillis() / 1000.0))
        .append(" |\n");
    platformTable(md);
    if (!failed.isEmpty()) {
      table(
          md,
          "| failed base | error |\n|---|---|",
          failed,
          r -> List.of(Markdown.text(r.base()), Markdown.text(r.error())));
    }
    return md.toString();
  }

  /**
   * The bases a several-platform copy changed: the platforms each lacks, and whether its index went
   * whole or a new one of the wanted platforms was written.
   */
  private void platformTable(StringBuilder md) {
    List<MirrorRecord> changed =
        result.records().stream()
            .filter(r -> !r.status().equals(MirrorRecord.FAILED))
            .filter(r -> r.newIndex() || !r.missing().isEmpty())
            .toList();
    if (changed.isEmpty()) {
      return;
    }
    table(
        md,
        "| base | platforms missing | index |\n|---|---|---|",
        changed,
        r ->
            List.of(
                Markdown.text(r.base()),
                Markdown.text(String.join(", ", r.missing())),
                r.newIndex() ? "new index of " + Markdown.text(kept(r)) : "copied whole"));
  }

  /** A table under {@code header}: the first {@value #LISTED} rows, then how many more. */
  private static void table(
      StringBuilder md,
      String header,
      List<MirrorRecord> rows,
      Function<MirrorRecord, List<String>> cells) {
    md.append('\n').append(header).append('\n');
    rows.stream()
        .limit(LISTED)
        .forEach(r -> md.append("| ").append(String.join(" | ", cells.apply(r))).append(" |\n"));
    if (rows.size() > LISTED) {
      md.append("\n…and ").append(rows.size() - LISTED).append(" more in mirror.jsonl\n");
    }
  }

  /** The wanted platforms a base has. */
  private static String kept(MirrorRecord r) {
    return Arrays.stream(r.platform() == null ? new String[0] : r.platform().split(","))
        .filter(p -> !r.missing().contains(p))
        .collect(Collectors.joining(", "));
  }

  public Map<String, String> outputs(Path journal) {
    Map<String, String> outputs = new LinkedHashMap<>();
    outputs.put("mirrored", String.valueOf(result.count(MirrorRecord.MIRRORED)));
    outputs.put("present", String.valueOf(result.count(MirrorRecord.PRESENT)));
    outputs.put("failed", String.valueOf(result.count(MirrorRecord.FAILED)));
    outputs.put("mirror-report", journal.toString());
    return outputs;
  }

  public static void write(Path file, String markdown) {
    try {
      SafeFiles.writeAtomically(file, markdown.getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw ImagefleetException.invalidInput(
          "--output "
              + file.getParent()
              + ": cannot write "
              + file.getFileName()
              + ": "
              + e.getMessage());
    }
  }
}
