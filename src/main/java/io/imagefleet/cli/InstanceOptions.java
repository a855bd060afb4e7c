package io.imagefleet.cli;

import io.imagefleet.Benchmark;
import io.imagefleet.ImagefleetException;
import io.imagefleet.dataset.HuggingFaceRows;
import io.imagefleet.dataset.InstanceSource;
import io.imagefleet.fleet.BaseImageRule;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import picocli.CommandLine.Option;

/** build's options that say which instances to build and on which base images. */
final class InstanceOptions {

  @Option(
      names = "--benchmark",
      defaultValue = "swe-bench",
      paramLabel = "NAME",
      description = "swe-bench, swt-bench or custom (default: ${DEFAULT-VALUE}).")
  String benchmark;

  @Option(
      names = "--dataset",
      required = true,
      paramLabel = "FILE|HF-ID",
      description = "JSONL, JSON array or text file of ids; or a Hugging Face dataset id.")
  String dataset;

  @Option(
      names = "--split",
      defaultValue = "test",
      paramLabel = "NAME",
      description = "Split of a Hugging Face dataset (default: ${DEFAULT-VALUE}).")
  String split;

  @Option(
      names = "--hf-endpoint",
      defaultValue = HuggingFaceRows.DEFAULT_ENDPOINT,
      paramLabel = "URL",
      description = "datasets-server endpoint (default: ${DEFAULT-VALUE}).")
  String hfEndpoint;

  @Option(
      names = "--instance-ids",
      split = ",",
      paramLabel = "ID",
      description = "Only these instances (comma-separated).")
  List<String> instanceIds = new ArrayList<>();

  @Option(
      names = "--select",
      paramLabel = "FILE",
      description = "Only the instances listed in FILE, one id a line.")
  Path select;

  @Option(
      names = "--n-limit",
      defaultValue = "0",
      paramLabel = "N",
      description = "A seeded sample of N instances; 0 = all.")
  int nLimit;

  @Option(
      names = "--seed",
      defaultValue = "42",
      paramLabel = "N",
      description = "Seed of the --n-limit sample (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(
      names = "--shard",
      defaultValue = "1/1",
      paramLabel = "i/K",
      description = "Shard i of K of the sorted list (default: ${DEFAULT-VALUE}).")
  String shard;

  @Option(
      names = "--base-image-template",
      paramLabel = "REPO/{id}:TAG",
      description = "Base image per instance; {id} is the id lower-cased with __ as _1776_.")
  String baseImageTemplate;

  void check() {
    ImagefleetException.requireAtLeast("--n-limit", nLimit, 0);
  }

  /**
   * The benchmark --benchmark names (custom: base images from the dataset or
   * --base-image-template); else exit 2.
   */
  Benchmark benchmark() {
    return Benchmark.byId(benchmark)
        .orElseThrow(
            () -> {
              String known =
                  Arrays.stream(Benchmark.values())
                      .map(Benchmark::id)
                      .collect(Collectors.joining(", "));
              return ImagefleetException.invalidInput(
                  "--benchmark must be "
                      + known.replaceFirst(", (?=[^,]*$)", " or ")
                      + ", got '"
                      + benchmark
                      + "'");
            });
  }

  BaseImageRule baseImageRule() {
    return new BaseImageRule(benchmark(), Optional.ofNullable(baseImageTemplate));
  }

  InstanceSource source() {
    return new InstanceSource(
        dataset, split, hfEndpoint, instanceIds, Optional.ofNullable(select), nLimit, seed, shard);
  }
}
