package io.imagefleet.workflow;

import java.util.Arrays;
import java.util.Optional;

/** The benchmarks imagefleet generates workflows for, each with its default profile. */
public enum Benchmark {
  SWE_BENCH(
      "swe-bench", "SWE-Bench", new Profile("princeton-nlp/SWE-bench_Verified", "test", 8, 50)),
  SWT_BENCH(
      "swt-bench",
      "SWT-Bench",
      new Profile("eth-sri/SWT-bench_Verified_bm25_27k_zsp", "test", 6, 40));

  /** Per-benchmark defaults: where the instances come from and how wide to build. */
  public record Profile(String dataset, String split, int workers, int batchSize) {}

  private final String id;
  private final String title;
  private final Profile profile;

  Benchmark(String id, String title, Profile profile) {
    this.id = id;
    this.title = title;
    this.profile = profile;
  }

  /** The id used on the command line and in file names, e.g. {@code swe-bench}. */
  public String id() {
    return id;
  }

  public String title() {
    return title;
  }

  public Profile profile() {
    return profile;
  }

  public static Optional<Benchmark> byId(String id) {
    return Arrays.stream(values()).filter(b -> b.id.equals(id)).findFirst();
  }

  @Override
  public String toString() {
    return id;
  }
}
