package io.imagefleet.report;

import java.util.List;

/** Percentiles of image seconds, as the report and the comparison state them. */
final class Stats {
  private Stats() {}

  /** The nearest-rank {@code p}th percentile (0 for no values). */
  static double percentile(List<Double> values, double p) {
    if (values.isEmpty()) {
      return 0;
    }
    double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    int rank = (int) Math.ceil(p / 100 * sorted.length);
    return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
  }
}
