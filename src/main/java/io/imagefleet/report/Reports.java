package io.imagefleet.report;

import io.imagefleet.ImagefleetException;
import io.imagefleet.SafeFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Makes report.html from build output directories alone; the build and {@code report} share it. */
public final class Reports {
  public static final String FILE = "report.html";

  private Reports() {}

  /**
   * Reads each directory (an {@code --output} of a build, or a directory of them: downloaded shard
   * artifacts) and writes one report over all of them to {@code file}, atomically.
   */
  public static Summary write(List<Path> dirs, Path file) {
    List<Shard> shards = read(dirs);
    String html = HtmlReport.render(shards);
    try {
      SafeFiles.writeAtomically(file, html.getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw ImagefleetException.invalidInput("cannot write " + file + ": " + e.getMessage());
    }
    Totals totals = shards.stream().map(Totals::of).reduce(Totals::plus).orElseThrow();
    return new Summary(shards.size(), totals.built(), totals.skipped(), totals.failed());
  }

  /** What a report covers, for the console line and the outputs. */
  public record Summary(int shards, int built, int skipped, int failed) {}

  static List<Shard> read(List<Path> dirs) {
    if (dirs.isEmpty()) {
      throw ImagefleetException.invalidInput("name at least one build --output directory");
    }
    List<Shard> shards = new ArrayList<>();
    Map<String, Integer> names = new HashMap<>();
    for (Path dir : dirs) {
      for (Path shardDir : Shard.expand(dir)) {
        Shard shard = Shard.read(shardDir);
        int seen = names.merge(shard.name(), 1, Integer::sum);
        // Shards never share a row of the timeline, even when their directories share a name.
        shards.add(seen == 1 ? shard : shard.named(shard.name() + " #" + seen));
      }
    }
    return shards;
  }
}
