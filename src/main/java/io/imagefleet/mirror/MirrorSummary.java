package io.imagefleet.mirror;

import io.imagefleet.ImagefleetException;
import io.imagefleet.SafeFiles;
import io.imagefleet.actions.Markdown;
import io.imagefleet.registry.ImageReference;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** What a mirror run did: the console line, mirror.md (and the step summary), the outputs. */
public record MirrorSummary(Mirror.Result result, ImageReference repository) {
  private static final int LISTED = 50;

  public String line() {
    return String.format(
        Locale.ROOT,
        "%d base(s): %d mirrored, %d already there, %d failed; %d bytes streamed, %d blob(s)"
            + " mounted (%.1f s)",
        result.records().size(),
        result.count(MirrorRecord.MIRRORED),
        result.count(MirrorRecord.PRESENT),
        result.count(MirrorRecord.FAILED),
        result.bytes(),
        result.moved().mounted(),
        result.elapsed().toMillis() / 1000.0);
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
    if (!failed.isEmpty()) {
      md.append("\n| failed base | error |\n|---|---|\n");
      failed.stream()
          .limit(LISTED)
          .forEach(
              r ->
                  md.append("| ")
                      .append(Markdown.text(r.base()))
                      .append(" | ")
                      .append(Markdown.text(r.error()))
                      .append(" |\n"));
      if (failed.size() > LISTED) {
        md.append("\n…and ").append(failed.size() - LISTED).append(" more in mirror.jsonl\n");
      }
    }
    return md.toString();
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
