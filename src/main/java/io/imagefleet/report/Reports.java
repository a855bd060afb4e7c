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
import java.util.Optional;
import java.util.stream.Collectors;

/** Makes report.html from build output directories alone; the build and {@code report} share it. */
public final class Reports {
  public static final String FILE = "report.html";

  private Reports() {}

  /**
   * Reads each directory (an {@code --output} of a build, or a directory of them: downloaded shard
   * artifacts) and writes one report over all of them to {@code file}, atomically.
   */
  public static Summary write(List<Path> dirs, Path file) {
    return write(dirs, file, Optional.empty());
  }

  /** As {@link #write(List, Path)}, compared with {@code previous} when given. */
  public static Summary write(List<Path> dirs, Path file, Optional<PreviousRun> previous) {
    List<Shard> shards = read(dirs);
    Optional<Comparison> comparison = previous.map(p -> Comparison.of(p.shards, shards, p.name));
    String html = HtmlReport.render(shards, comparison);
    try {
      SafeFiles.writeAtomically(file, html.getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw ImagefleetException.invalidInput("cannot write " + file + ": " + e.getMessage());
    }
    Totals totals = shards.stream().map(Totals::of).reduce(Totals::plus).orElseThrow();
    return new Summary(
        shards.size(),
        totals.built(),
        totals.skipped(),
        totals.failed(),
        comparison.map(Comparison::markdownLine));
  }

  /**
   * What a report covers, for the console line and the outputs; {@code comparison} is summary.md's
   * line against the previous run, when there was one.
   */
  public record Summary(
      int shards, int built, int skipped, int failed, Optional<String> comparison) {}

  /** A run to compare with, read before this one writes anything. */
  public static final class PreviousRun {
    private final List<Shard> shards;
    private final String name;

    private PreviousRun(List<Shard> shards, String name) {
      this.shards = List.copyOf(shards);
      this.name = name;
    }

    /** {@code report --compare DIR}: a build's --output directory, or a directory of shards. */
    public static PreviousRun ofDirectories(List<Path> dirs) {
      List<Shard> shards = read(dirs);
      return new PreviousRun(
          shards, dirs.stream().map(Path::toString).collect(Collectors.joining(", ")));
    }

    /** {@code build --history FILE}: the manifest of an earlier run (its summary.json beside). */
    public static PreviousRun ofManifest(Path manifest) {
      return new PreviousRun(List.of(Shard.ofManifest(manifest)), manifest.toString());
    }
  }

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
