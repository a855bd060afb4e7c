package io.imagefleet;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The benchmarks imagefleet builds for: SWE-Bench and SWT-Bench, each with the profile its
 * generated workflow starts from, and {@code custom} (base images from the dataset or a template),
 * which build accepts and generate does not.
 */
public enum Benchmark {
  SWE_BENCH(
      "swe-bench", "SWE-Bench", new Profile("princeton-nlp/SWE-bench_Verified", "test", 8, 50)),
  SWT_BENCH(
      "swt-bench",
      "SWT-Bench",
      new Profile("eth-sri/SWT-bench_Verified_bm25_27k_zsp", "test", 6, 40)),
  CUSTOM("custom", "Custom", null);

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

  /** The generated workflow's defaults; only for {@link #withWorkflows()} benchmarks. */
  public Profile profile() {
    if (profile == null) {
      throw new IllegalStateException(id + " has no workflow profile");
    }
    return profile;
  }

  /** The benchmarks generate writes workflows for. */
  public static List<Benchmark> withWorkflows() {
    return Arrays.stream(values()).filter(b -> b.profile != null).toList();
  }

  public static Optional<Benchmark> byId(String id) {
    return Arrays.stream(values()).filter(b -> b.id.equals(id)).findFirst();
  }

  @Override
  public String toString() {
    return id;
  }
}
