package io.imagefleet.fleet;

import com.fasterxml.jackson.databind.SerializationFeature;
import io.imagefleet.SafeFiles;
import io.imagefleet.actions.Markdown;
import io.imagefleet.docker.Units;
import io.imagefleet.registry.RegistryUsage;
import io.imagefleet.report.MermaidCharts;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The run's outcome: counts, throughput, the slowest images, failures, and disk before and after.
 */
public record BuildSummary(
    int planned,
    int built,
    int skipped,
    int retagged,
    int failed,
    int notStarted,
    int resumed,
    double seconds,
    List<ManifestRecord> slowest,
    List<ManifestRecord> failures,
    Optional<Long> freeBefore,
    Optional<Long> freeAfter,
    Optional<String> stoppedEarly,
    String builder,
    boolean sdistBuilt,
    List<RegistryUsage> registries,
    PlatformTable platforms,
    Optional<String> unmeasuredDisk,
    RunMeters meters) {

  static BuildSummary of(
      int planned,
      List<ManifestRecord> records,
      int resumed,
      double seconds,
      Optional<Long> freeBefore,
      Optional<Long> freeAfter,
      Optional<String> stoppedEarly,
      String builder,
      boolean sdistBuilt) {
    int built = count(records, ManifestRecord.Status.BUILT);
    int skipped = count(records, ManifestRecord.Status.SKIPPED);
    int retagged = count(records, ManifestRecord.Status.RETAGGED);
    int failed = count(records, ManifestRecord.Status.FAILED);
    int notStarted = planned - resumed - built - skipped - retagged - failed;
    return new BuildSummary(
        planned,
        built,
        skipped,
        retagged,
        failed,
        notStarted,
        resumed,
        seconds,
        slowest(records),
        failures(records),
        freeBefore,
        freeAfter,
        stoppedEarly,
        builder,
        sdistBuilt,
        List.of(),
        PlatformTable.of(records),
        Optional.empty(),
        RunMeters.of(records));
  }

  /** The same summary with what each registry's budget counted during the run. */
  BuildSummary withRegistries(List<RegistryUsage> used) {
    return new BuildSummary(
        planned,
        built,
        skipped,
        retagged,
        failed,
        notStarted,
        resumed,
        seconds,
        slowest,
        failures,
        freeBefore,
        freeAfter,
        stoppedEarly,
        builder,
        sdistBuilt,
        List.copyOf(used),
        platforms,
        unmeasuredDisk,
        meters);
  }

  /**
   * The same summary saying why no disk was measured: the builder builds elsewhere ({@link
   * ImageBuilder#unmeasuredDisk}).
   */
  BuildSummary withUnmeasuredDisk(Optional<String> why) {
    return new BuildSummary(
        planned,
        built,
        skipped,
        retagged,
        failed,
        notStarted,
        resumed,
        seconds,
        slowest,
        failures,
        freeBefore,
        freeAfter,
        stoppedEarly,
        builder,
        sdistBuilt,
        registries,
        platforms,
        why,
        meters);
  }

  /** The same summary with the seconds the dispatcher held images back for disk. */
  BuildSummary withDiskWait(double waited) {
    return new BuildSummary(
        planned,
        built,
        skipped,
        retagged,
        failed,
        notStarted,
        resumed,
        seconds,
        slowest,
        failures,
        freeBefore,
        freeAfter,
        stoppedEarly,
        builder,
        sdistBuilt,
        registries,
        platforms,
        unmeasuredDisk,
        meters.withDiskWait(waited));
  }

  /** The 10 slowest built images, slowest first (ties by instance). */
  private static List<ManifestRecord> slowest(List<ManifestRecord> records) {
    return records.stream()
        .filter(r -> r.status() == ManifestRecord.Status.BUILT)
        .sorted(
            Comparator.comparingDouble(ManifestRecord::seconds)
                .reversed()
                .thenComparing(ManifestRecord::instance))
        .limit(10)
        .toList();
  }

  private static List<ManifestRecord> failures(List<ManifestRecord> records) {
    return records.stream()
        .filter(r -> r.status() == ManifestRecord.Status.FAILED)
        .sorted(Comparator.comparing(ManifestRecord::instance))
        .toList();
  }

  private static int count(List<ManifestRecord> records, ManifestRecord.Status status) {
    return (int) records.stream().filter(r -> r.status() == status).count();
  }

  /** Images built per hour of wall time. */
  public double imagesPerHour() {
    return seconds <= 0 ? 0 : built * 3600.0 / seconds;
  }

  public Map<String, String> outputs(Path manifest) {
    Map<String, String> outputs = new LinkedHashMap<>();
    outputs.put("built", Integer.toString(built));
    outputs.put("skipped", Integer.toString(skipped));
    outputs.put("retagged", Integer.toString(retagged));
    outputs.put("failed", Integer.toString(failed));
    outputs.put("manifest", manifest.toString());
    return outputs;
  }

  public String markdown() {
    return markdown("");
  }

  /** The summary with charts, and {@code reportLine} (where report.html is) after the counts. */
  public String markdown(String reportLine) {
    StringBuilder md = new StringBuilder("### imagefleet build");
    md.append(
            stoppedEarly
                .map(r -> ": stopped early (" + Markdown.text(r) + ")")
                .orElse(failed > 0 ? ": some images failed" : ": done"))
        .append("\n\n");
    md.append(
        "| planned | built | skipped | retagged | failed | not started | already done (resume) |"
            + " images/h | wall time |\n");
    md.append("|---|---|---|---|---|---|---|---|---|\n");
    md.append(
        String.format(
            Locale.ROOT,
            "| %d | %d | %d | %d | %d | %d | %d | %.1f | %s |%n",
            planned,
            built,
            skipped,
            retagged,
            failed,
            notStarted,
            resumed,
            imagesPerHour(),
            clock(seconds)));
    md.append("\nBuilder: ")
        .append(Markdown.text(builder))
        .append("; sdist ")
        .append(sdistBuilt ? "built once this run" : "reused from the cache")
        .append(".");
    if (unmeasuredDisk.isPresent()) {
      md.append(" Disk: ").append(Markdown.text(unmeasuredDisk.get())).append(".\n");
    } else {
      md.append(" Free disk on the Docker data root: ")
          .append(freeBefore.map(Units::gib).orElse("not measured"))
          .append(" before, ")
          .append(freeAfter.map(Units::gib).orElse("not measured"))
          .append(" after.\n");
    }
    md.append(meters.markdown());
    md.append(registryTable());
    md.append(platforms.markdown());
    md.append(reportLine).append(MermaidCharts.statusPie(statusCounts()));
    if (!slowest.isEmpty()) {
      md.append(MermaidCharts.slowestBars(slowest.stream().map(ManifestRecord::seconds).toList()));
      md.append("\n| # | slowest | seconds | attempts |\n|---|---|---|---|\n");
      for (int i = 0; i < slowest.size(); i++) {
        ManifestRecord r = slowest.get(i);
        md.append(
            String.format(
                Locale.ROOT,
                "| %d | %s | %.1f | %d |%n",
                i + 1,
                Markdown.text(r.instance()),
                r.seconds(),
                r.attempts()));
      }
    }
    if (!failures.isEmpty()) {
      md.append("\n| failed | attempts | reason |\n|---|---|---|\n");
      failures.forEach(
          r ->
              md.append("| ")
                  .append(Markdown.text(r.instance()))
                  .append(" | ")
                  .append(r.attempts())
                  .append(" | ")
                  .append(Markdown.text(r.error()))
                  .append(" |\n"));
    }
    return md.toString();
  }

  /** Per registry: requests, rate-limit answers and seconds waited for its budget. */
  private String registryTable() {
    if (registries.isEmpty()) {
      return "";
    }
    StringBuilder md =
        new StringBuilder(
            "\n| registry | requests | rate-limited (429) | waited for the budget |\n"
                + "|---|---|---|---|\n");
    registries.forEach(
        u ->
            md.append(
                String.format(
                    Locale.ROOT,
                    "| %s | %d | %d | %.1f s |%n",
                    Markdown.text(u.host()),
                    u.requests(),
                    u.rateLimited(),
                    u.secondsWaited())));
    return md.toString();
  }

  private Map<String, Integer> statusCounts() {
    Map<String, Integer> counts = new LinkedHashMap<>();
    counts.put("built", built);
    counts.put("skipped", skipped);
    counts.put("retagged", retagged);
    counts.put("failed", failed);
    counts.put("not started", notStarted);
    return counts;
  }

  void write(Path output) throws IOException {
    write(output, "");
  }

  void write(Path output, String reportLine) throws IOException {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("planned", planned);
    json.put("built", built);
    json.put("skipped", skipped);
    json.put("retagged", retagged);
    json.put("failed", failed);
    json.put("notStarted", notStarted);
    json.put("alreadyDone", resumed);
    json.put("seconds", seconds);
    json.put("imagesPerHour", imagesPerHour());
    json.put("builder", builder);
    json.put("sdistBuilt", sdistBuilt);
    json.put("stoppedEarly", stoppedEarly.orElse(null));
    json.put("freeBytesBefore", freeBefore.orElse(null));
    json.put("freeBytesAfter", freeAfter.orElse(null));
    json.put("diskNotMeasured", unmeasuredDisk.orElse(null));
    json.put("slowest", new ArrayList<>(slowest));
    json.put("failures", new ArrayList<>(failures));
    json.put("registries", registries.stream().map(BuildSummary::registryJson).toList());
    if (!platforms.isEmpty()) {
      json.put("platforms", platforms.rows());
      json.put("missingPlatforms", platforms.lacking());
    }
    json.put("phases", meters.phases());
    if (!meters.bytes().isEmpty()) {
      json.put("bytes", meters.bytesJson());
    }
    json.put("diskWaitSeconds", meters.diskWaitSeconds());
    SafeFiles.writeAtomically(
        output.resolve("summary.json"),
        Manifest.JSON.copy().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsBytes(json));
    SafeFiles.writeAtomically(
        output.resolve("summary.md"), markdown(reportLine).getBytes(StandardCharsets.UTF_8));
  }

  private static Map<String, Object> registryJson(RegistryUsage used) {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("host", used.host());
    json.put("requests", used.requests());
    json.put("rateLimited", used.rateLimited());
    json.put("secondsWaited", used.secondsWaited());
    return json;
  }

  static String clock(double seconds) {
    long s = Math.round(seconds);
    return String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, (s / 60) % 60, s % 60);
  }
}
