package io.imagefleet.report;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Optional;

/**
 * The counts at the top of a report: from summary.json when the build wrote one, else counted from
 * the manifest (a run killed before its summary). Shards add up.
 */
record Totals(
    int planned,
    int built,
    int skipped,
    int failed,
    int notStarted,
    int alreadyDone,
    double seconds,
    List<String> builders,
    int sdistBuilt,
    int shards,
    List<String> stoppedEarly,
    Optional<Long> freeBefore,
    Optional<Long> freeAfter,
    List<String> diskNotMeasured,
    int withoutSummary) {

  static Totals of(Shard shard) {
    int built = count(shard, "built");
    int skipped = count(shard, "skipped");
    int failed = count(shard, "failed");
    int retagged = count(shard, "retagged");
    if (shard.summary().isEmpty()) {
      return new Totals(
          built + skipped + retagged + failed,
          built,
          skipped,
          failed,
          0,
          0,
          0,
          List.of(),
          0,
          1,
          List.of(),
          Optional.empty(),
          Optional.empty(),
          List.of(),
          1);
    }
    JsonNode s = shard.summary().get();
    return new Totals(
        s.path("planned").asInt(built + skipped + retagged + failed),
        s.path("built").asInt(built),
        s.path("skipped").asInt(skipped),
        s.path("failed").asInt(failed),
        s.path("notStarted").asInt(0),
        s.path("alreadyDone").asInt(0),
        s.path("seconds").asDouble(0),
        s.path("builder").isTextual() ? List.of(s.path("builder").asText()) : List.of(),
        s.path("sdistBuilt").asBoolean(false) ? 1 : 0,
        1,
        s.path("stoppedEarly").isTextual() ? List.of(s.path("stoppedEarly").asText()) : List.of(),
        bytes(s.path("freeBytesBefore")),
        bytes(s.path("freeBytesAfter")),
        s.path("diskNotMeasured").isTextual()
            ? List.of(s.path("diskNotMeasured").asText())
            : List.of(),
        0);
  }

  /** The shards together: counts add up, wall time is the longest shard's, disk the least free. */
  Totals plus(Totals o) {
    return new Totals(
        planned + o.planned,
        built + o.built,
        skipped + o.skipped,
        failed + o.failed,
        notStarted + o.notStarted,
        alreadyDone + o.alreadyDone,
        Math.max(seconds, o.seconds),
        union(builders, o.builders),
        sdistBuilt + o.sdistBuilt,
        shards + o.shards,
        union(stoppedEarly, o.stoppedEarly),
        least(freeBefore, o.freeBefore),
        least(freeAfter, o.freeAfter),
        union(diskNotMeasured, o.diskNotMeasured),
        withoutSummary + o.withoutSummary);
  }

  double imagesPerHour() {
    return seconds <= 0 ? 0 : built * 3600.0 / seconds;
  }

  private static int count(Shard shard, String status) {
    return (int) shard.records().stream().filter(r -> r.is(status)).count();
  }

  private static Optional<Long> bytes(JsonNode node) {
    return node.isNumber() ? Optional.of(node.asLong()) : Optional.empty();
  }

  private static Optional<Long> least(Optional<Long> a, Optional<Long> b) {
    if (a.isEmpty() || b.isEmpty()) {
      return a.or(() -> b);
    }
    return Optional.of(Math.min(a.get(), b.get()));
  }

  private static List<String> union(List<String> a, List<String> b) {
    return java.util.stream.Stream.concat(a.stream(), b.stream()).distinct().toList();
  }
}
