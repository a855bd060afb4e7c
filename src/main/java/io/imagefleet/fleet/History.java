package io.imagefleet.fleet;

import io.imagefleet.ImagefleetException;
import io.imagefleet.registry.ImageReference;
import io.imagefleet.report.Reports;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * How long each image took in an earlier run (its manifest.jsonl), so the longest start first: a
 * long image started last keeps one worker busy after the others ran dry.
 */
public final class History {
  private final Map<String, ManifestRecord> records;
  private final Optional<Reports.PreviousRun> previousRun;

  private History(Map<String, ManifestRecord> records, Optional<Reports.PreviousRun> previousRun) {
    this.records = records;
    this.previousRun = previousRun;
  }

  public static History none() {
    return new History(Map.of(), Optional.empty());
  }

  /**
   * The manifest {@code file} ({@code option} names where it came from, for the message); a missing
   * file is an error only when the user named it.
   */
  public static History read(Path file, String option, boolean required) {
    if (!Files.isRegularFile(file)) {
      if (required) {
        throw ImagefleetException.invalidInput(
            option + " " + file + ": no such file; pass the manifest.jsonl of an earlier run");
      }
      return none();
    }
    // A run the user named is the one the report compares with; --resume's own manifest is not.
    return new History(
        Manifest.read(file),
        required ? Optional.of(Reports.PreviousRun.ofManifest(file)) : Optional.empty());
  }

  /** The earlier run as the report compares with it: only a --history the user gave. */
  Optional<Reports.PreviousRun> previousRun() {
    return previousRun;
  }

  /** Seconds the image took last time; empty when unknown or skipped. */
  Optional<Double> seconds(String instance) {
    ManifestRecord r = records.get(instance);
    if (r == null
        || r.status() == ManifestRecord.Status.SKIPPED
        || r.status() == ManifestRecord.Status.RETAGGED) {
      return Optional.empty();
    }
    return Optional.of(r.seconds());
  }

  /** An image an earlier run made: its manifest digest and the reference it was pushed as. */
  record Earlier(String digest, ImageReference image) {}

  /**
   * The images earlier runs built (or retagged) by key; records without a key, digest or a readable
   * tag don't count.
   */
  Map<String, Earlier> byKey() {
    Map<String, Earlier> byKey = new HashMap<>();
    for (ManifestRecord r : records.values()) {
      boolean made =
          r.status() == ManifestRecord.Status.BUILT || r.status() == ManifestRecord.Status.RETAGGED;
      if (made
          && r.key() != null
          && r.digest() != null
          && r.tags() != null
          && !r.tags().isEmpty()) {
        try {
          byKey.put(r.key(), new Earlier(r.digest(), ImageReference.parse(r.tags().get(0))));
        } catch (ImagefleetException e) {
          // A tag this version can't read: that image is simply not reused.
        }
      }
    }
    return byKey;
  }

  /** The plan, longest first; ties and images without history keep their order, after the rest. */
  public List<PlannedImage> slowestFirst(List<PlannedImage> plan) {
    List<PlannedImage> order = new ArrayList<>(plan);
    order.sort(
        Comparator.comparingDouble(
            (PlannedImage p) -> -seconds(p.instance()).orElse(Double.NEGATIVE_INFINITY)));
    return order;
  }
}
