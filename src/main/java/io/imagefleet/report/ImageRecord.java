package io.imagefleet.report;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One manifest line as the report reads it: every field optional, unknown ones ignored, so that
 * manifests from older and newer imagefleet versions both render. Instants stay text until used; a
 * malformed one only loses its bar.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
record ImageRecord(
    @JsonProperty("instance") String instance,
    @JsonProperty("tags") List<String> tags,
    @JsonProperty("status") String status,
    @JsonProperty("attempts") int attempts,
    @JsonProperty("seconds") double seconds,
    @JsonProperty("error") String error,
    @JsonProperty("started") String started,
    @JsonProperty("ended") String ended,
    @JsonProperty("lane") Integer lane,
    @JsonProperty("runs") List<Run> runs,
    @JsonProperty("platforms") List<String> platforms,
    @JsonProperty("missingPlatforms") List<String> missingPlatforms,
    @JsonProperty("phases") Map<String, Object> phases,
    @JsonProperty("bytes") Map<String, Object> bytes) {

  /** A record of one platform: every run's before --platform took a list. */
  ImageRecord(
      String instance,
      List<String> tags,
      String status,
      int attempts,
      double seconds,
      String error,
      String started,
      String ended,
      Integer lane,
      List<Run> runs) {
    this(
        instance, tags, status, attempts, seconds, error, started, ended, lane, runs, null, null,
        null, null);
  }

  ImageRecord {
    instance = instance == null ? "" : instance;
    tags = tags == null ? List.of() : List.copyOf(tags.stream().filter(t -> t != null).toList());
    status = status == null ? "unknown" : status;
    runs = runs == null ? List.of() : List.copyOf(runs.stream().filter(r -> r != null).toList());
    platforms = texts(platforms);
    missingPlatforms = texts(missingPlatforms);
    phases = numbers(phases, false);
    bytes = numbers(bytes, true);
  }

  private static List<String> texts(List<String> list) {
    return list == null ? List.of() : List.copyOf(list.stream().filter(t -> t != null).toList());
  }

  /**
   * The entries of a map read from JSON with a key and a finite, non-negative number (Doubles, or
   * Longs when {@code whole}); anything else a newer or damaged manifest holds is left out.
   */
  private static Map<String, Object> numbers(Map<String, Object> map, boolean whole) {
    if (map == null) {
      return Map.of();
    }
    Map<String, Object> kept = new LinkedHashMap<>();
    map.forEach(
        (k, v) -> {
          if (k != null
              && v instanceof Number n
              && Double.isFinite(n.doubleValue())
              && n.doubleValue() >= 0) {
            kept.put(k, whole ? (Object) n.longValue() : (Object) n.doubleValue());
          }
        });
    return Collections.unmodifiableMap(kept);
  }

  /** Seconds per phase id, in the manifest's order. */
  @SuppressWarnings("unchecked")
  Map<String, Double> phaseSeconds() {
    return (Map<String, Double>) (Map<String, ?>) phases;
  }

  /** Blob bytes per kind id; empty when the builder counted none. */
  @SuppressWarnings("unchecked")
  Map<String, Long> blobBytes() {
    return (Map<String, Long>) (Map<String, ?>) bytes;
  }

  /** Seconds of {@code phase} (a phase id); 0 when the record has none. */
  double phase(String phase) {
    return phaseSeconds().getOrDefault(phase, 0.0);
  }

  /** One build attempt: when it started, how long it took, and why it failed if it did. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  record Run(
      @JsonProperty("started") String started,
      @JsonProperty("seconds") double seconds,
      @JsonProperty("error") String error) {}

  Optional<String> tag() {
    return tags.stream().findFirst();
  }

  boolean is(String wanted) {
    return status.equals(wanted);
  }

  static Optional<Instant> instant(String text) {
    if (text == null || text.isBlank()) {
      return Optional.empty();
    }
    try {
      return Optional.of(Instant.parse(text.strip()));
    } catch (DateTimeParseException e) {
      return Optional.empty();
    }
  }
}
