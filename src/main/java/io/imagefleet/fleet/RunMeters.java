package io.imagefleet.fleet;

import io.imagefleet.ImageMeter;
import io.imagefleet.docker.Units;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Where a run's image seconds went (each phase summed over its images) and what its blobs cost
 * (bytes per kind, over the images whose builder counts them), plus the seconds the dispatcher held
 * images back for disk: a wait outside any image.
 */
public record RunMeters(
    Map<String, Double> phases, Map<String, Long> bytes, double diskWaitSeconds) {

  static final RunMeters NONE = new RunMeters(Map.of(), Map.of(), 0);

  static RunMeters of(List<ManifestRecord> records) {
    Map<String, Double> phases = new LinkedHashMap<>();
    for (ImageMeter.Phase p : ImageMeter.Phase.values()) {
      double sum = 0;
      for (ManifestRecord r : records) {
        sum += r.phases() == null ? 0 : r.phases().getOrDefault(p.id(), 0.0);
      }
      if (sum > 0) {
        phases.put(p.id(), Math.round(sum * 100) / 100.0);
      }
    }
    Map<String, Long> bytes = new LinkedHashMap<>();
    for (ImageMeter.Bytes kind : ImageMeter.Bytes.values()) {
      for (ManifestRecord r : records) {
        if (r.bytes() != null && r.bytes().containsKey(kind.id())) {
          bytes.merge(kind.id(), r.bytes().get(kind.id()), Long::sum);
        }
      }
    }
    return new RunMeters(
        Collections.unmodifiableMap(phases), Collections.unmodifiableMap(bytes), 0);
  }

  RunMeters withDiskWait(double seconds) {
    return new RunMeters(phases, bytes, Math.round(seconds * 10) / 10.0);
  }

  /** Bytes that crossed the network (pulled, streamed, uploaded). */
  long moved() {
    return sum(true);
  }

  /** Bytes reused where they were (mounted, already present). */
  long reused() {
    return sum(false);
  }

  /** The share of the blob bytes that were reused; empty when no builder counted bytes. */
  Optional<Double> reusedShare() {
    long all = moved() + reused();
    return bytes.isEmpty() || all == 0 ? Optional.empty() : Optional.of(reused() / (double) all);
  }

  private long sum(boolean moved) {
    long sum = 0;
    for (ImageMeter.Bytes kind : ImageMeter.Bytes.values()) {
      if (kind.moved() == moved) {
        sum += bytes.getOrDefault(kind.id(), 0L);
      }
    }
    return sum;
  }

  /** summary.json's {@code bytes}: per kind, and the share reused. */
  Map<String, Object> bytesJson() {
    Map<String, Object> json = new LinkedHashMap<>(bytes);
    reusedShare().ifPresent(s -> json.put("reusedShare", Math.round(s * 1000) / 1000.0));
    return json;
  }

  /** One Markdown line each: the phases by share of the image seconds, and the bytes. */
  String markdown() {
    StringBuilder md = new StringBuilder();
    double total = phases.values().stream().mapToDouble(Double::doubleValue).sum();
    if (total > 0) {
      List<String> parts = new ArrayList<>();
      phases.entrySet().stream()
          .sorted(Map.Entry.<String, Double>comparingByValue().reversed())
          .forEach(
              e ->
                  parts.add(
                      String.format(
                          Locale.ROOT,
                          "%s %.0f%% (%.0f s)",
                          ImageMeter.Phase.byId(e.getKey())
                              .map(ImageMeter.Phase::label)
                              .orElse(e.getKey()),
                          100 * e.getValue() / total,
                          e.getValue())));
      md.append("\nWhere the image time went: ").append(String.join(", ", parts)).append(".");
      if (diskWaitSeconds > 0) {
        md.append(String.format(Locale.ROOT, " Held back for disk: %.0f s.", diskWaitSeconds));
      }
      md.append("\n");
    }
    reusedShare()
        .ifPresent(
            share ->
                md.append(
                    String.format(
                        Locale.ROOT,
                        "\nBlobs: %s moved, %s reused (%.0f%%).\n",
                        Units.human(moved()),
                        Units.human(reused()),
                        100 * share)));
    return md.toString();
  }
}
