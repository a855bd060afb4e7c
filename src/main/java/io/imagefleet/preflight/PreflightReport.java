package io.imagefleet.preflight;

import io.imagefleet.actions.Markdown;
import io.imagefleet.docker.DockerUsage;
import io.imagefleet.docker.Units;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What preflight measured before and after pruning, what each prune step reclaimed, the verdict.
 */
public record PreflightReport(
    String endpoint,
    String serverVersion,
    String dataRoot,
    List<Measurement> before,
    List<Measurement> after,
    DockerUsage usageBefore,
    DockerUsage usageAfter,
    String buildx,
    long buildxCacheBefore,
    long buildxCacheAfter,
    List<PruneStep> steps,
    long minFreeBytes,
    boolean passed,
    String verdict) {

  public long reclaimedBytes() {
    return steps.stream().mapToLong(PruneStep::reclaimedBytes).sum();
  }

  public Optional<DiskSpace> dataRootAfter() {
    return after.get(0).space();
  }

  public long buildCacheAfter() {
    return usageAfter.buildCache() + buildxCacheAfter;
  }

  /** The values the step publishes through GITHUB_OUTPUT. */
  public Map<String, String> outputs() {
    Map<String, String> outputs = new LinkedHashMap<>();
    outputs.put("free-gb", dataRootAfter().map(s -> Units.gibNumber(s.freeBytes())).orElse(""));
    outputs.put("reclaimed-gb", Units.gibNumber(reclaimedBytes()));
    outputs.put("build-cache-gb", Units.gibNumber(buildCacheAfter()));
    return outputs;
  }

  /** The report as plain maps and lists, for {@code --json}. */
  public Map<String, Object> toJsonTree() {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("endpoint", endpoint);
    json.put("serverVersion", serverVersion);
    json.put("dataRoot", dataRoot);
    json.put("passed", passed);
    json.put("verdict", verdict);
    json.put("minFreeBytes", minFreeBytes);
    json.put("reclaimedBytes", reclaimedBytes());
    json.put("before", before.stream().map(PreflightReport::measurementJson).toList());
    json.put("after", after.stream().map(PreflightReport::measurementJson).toList());
    json.put("usageBefore", usageJson(usageBefore, buildxCacheBefore));
    json.put("usageAfter", usageJson(usageAfter, buildxCacheAfter));
    json.put("buildx", buildx);
    json.put(
        "steps",
        steps.stream()
            .map(
                s -> {
                  Map<String, Object> step = new LinkedHashMap<>();
                  step.put("name", s.name());
                  step.put("reclaimedBytes", s.reclaimedBytes());
                  step.put("seconds", s.seconds());
                  step.put("detail", s.detail());
                  return step;
                })
            .toList());
    json.put("outputs", outputs());
    return json;
  }

  private static Map<String, Object> measurementJson(Measurement m) {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("label", m.label());
    json.put("path", m.path());
    json.put("measured", m.measured());
    m.space()
        .ifPresent(
            s -> {
              json.put("filesystem", s.filesystem());
              json.put("freeBytes", s.freeBytes());
              json.put("totalBytes", s.totalBytes());
              json.put("method", s.method());
            });
    if (!m.measured()) {
      json.put("problem", m.problem());
    }
    return json;
  }

  private static Map<String, Object> usageJson(DockerUsage usage, long buildxCache) {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("images", usage.images());
    json.put("containers", usage.containers());
    json.put("volumes", usage.volumes());
    json.put("buildCache", usage.buildCache());
    json.put("buildxCache", buildxCache);
    return json;
  }

  /** The human table printed on stderr. */
  public String table() {
    StringBuilder t = new StringBuilder();
    t.append("imagefleet preflight: Docker ")
        .append(serverVersion)
        .append(" at ")
        .append(endpoint)
        .append(", data root ")
        .append(dataRoot)
        .append('\n');
    t.append(
        String.format(
            "%-28s %-22s %12s %12s %12s  %s%n",
            "measurement", "filesystem", "free before", "free after", "total", "method"));
    for (int i = 0; i < before.size(); i++) {
      Measurement b = before.get(i);
      Measurement a = after.get(i);
      if (b.space().isEmpty()) {
        t.append(String.format("%-28s NOT MEASURED: %s%n", b.label(), b.problem()));
        continue;
      }
      t.append(String.format("%-28s %-22s %12s %12s %12s  %s%n", diskCells(b, a).toArray()));
    }
    for (String[] row : usageRows()) {
      t.append(String.format("%-28s %-22s %12s %12s%n", row[0], "", row[1], row[2]));
    }
    if (!steps.isEmpty()) {
      t.append(
          String.format("%-28s %12s %8s  %s%n", "prune step", "reclaimed", "seconds", "detail"));
      for (PruneStep step : steps) {
        t.append(
            String.format(
                "%-28s %12s %8.2f  %s%n",
                step.name(), Units.human(step.reclaimedBytes()), step.seconds(), step.detail()));
      }
    }
    t.append("buildx: ").append(buildx).append('\n');
    if (passed) {
      t.append("ok: ").append(verdict).append('\n');
    }
    return t.toString();
  }

  /** The step summary: before/after per measurement and per prune step. */
  public String markdown() {
    StringBuilder md =
        new StringBuilder("### imagefleet preflight: ")
            .append(passed ? "ok" : "failed")
            .append("\n\n");
    md.append(verdict).append("\n\n");
    md.append(DiskBars.markdown(before, after));
    md.append(
        "| measurement | filesystem | free before | free after | total | method |\n|---|---|---|---|---|---|\n");
    for (int i = 0; i < before.size(); i++) {
      Measurement b = before.get(i);
      Measurement a = after.get(i);
      if (b.space().isEmpty()) {
        md.append("| ")
            .append(b.label())
            .append(" | not measured: ")
            .append(Markdown.text(b.problem()))
            .append(" | | | | |\n");
        continue;
      }
      List<String> cells = diskCells(b, a);
      cells.set(1, Markdown.text(cells.get(1)));
      md.append("| ").append(String.join(" | ", cells)).append(" |\n");
    }
    for (String[] row : usageRows()) {
      md.append("| ")
          .append(row[0])
          .append(" | | ")
          .append(row[1])
          .append(" | ")
          .append(row[2])
          .append(" | | |\n");
    }
    if (!steps.isEmpty()) {
      md.append("\n| prune step | reclaimed | seconds | detail |\n|---|---|---|---|\n");
      for (PruneStep step : steps) {
        md.append("| ")
            .append(step.name())
            .append(" | ")
            .append(Units.human(step.reclaimedBytes()))
            .append(" | ")
            .append(step.seconds())
            .append(" | ")
            .append(Markdown.text(step.detail()))
            .append(" |\n");
      }
    }
    md.append("\nbuildx: ").append(Markdown.text(buildx)).append('\n');
    return md.toString();
  }

  /** A measured row, before and after: label, filesystem, free before and after, total, method. */
  private static List<String> diskCells(Measurement before, Measurement after) {
    DiskSpace s = before.space().orElseThrow();
    return new ArrayList<>(
        List.of(
            before.label(),
            s.filesystem(),
            Units.gib(s.freeBytes()),
            after.space().map(x -> Units.gib(x.freeBytes())).orElse("-"),
            Units.gib(s.totalBytes()),
            s.method()));
  }

  /** Docker's usage by kind, before and after. */
  private List<String[]> usageRows() {
    List<String[]> rows = new ArrayList<>();
    rows.add(usage("Docker images", usageBefore.images(), usageAfter.images()));
    rows.add(usage("Docker containers", usageBefore.containers(), usageAfter.containers()));
    rows.add(usage("Docker volumes", usageBefore.volumes(), usageAfter.volumes()));
    rows.add(usage("build cache (daemon)", usageBefore.buildCache(), usageAfter.buildCache()));
    if (buildxCacheBefore > 0 || buildxCacheAfter > 0) {
      rows.add(usage("build cache (buildx)", buildxCacheBefore, buildxCacheAfter));
    }
    return rows;
  }

  private static String[] usage(String label, long before, long after) {
    return new String[] {label + " (used)", Units.human(before), Units.human(after)};
  }
}
