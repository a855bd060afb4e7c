package io.imagefleet.cli;

import io.imagefleet.Benchmark;
import io.imagefleet.docker.CacheMode;
import io.imagefleet.workflow.WorkflowSettings;
import picocli.CommandLine.Option;

/** generate's workflow options: each, when given, replaces the benchmark profile's default. */
final class WorkflowOptions {
  @Option(
      names = "--workers",
      paramLabel = "N",
      converter = OptionConverters.WholeNumberConverter.class,
      description = "Images built at once (default: the benchmark's profile).")
  Integer workers;

  @Option(
      names = "--batch-size",
      paramLabel = "N",
      converter = OptionConverters.WholeNumberConverter.class,
      description =
          "Free disk is measured (and build cache pruned when low) every N image starts"
              + " (default: the benchmark's profile).")
  Integer batchSize;

  @Option(
      names = "--cache-mode",
      paramLabel = "MODE",
      converter = OptionConverters.CacheModeConverter.class,
      description = "BuildKit cache export: off, min, max or inline (default: off).")
  CacheMode cacheMode;

  @Option(
      names = "--timeout-minutes",
      paramLabel = "N",
      converter = OptionConverters.WholeNumberConverter.class,
      description = "Time limit of the build job (default: 340).")
  Integer timeoutMinutes;

  @Option(
      names = "--image-timeout-minutes",
      paramLabel = "N",
      converter = OptionConverters.WholeNumberConverter.class,
      description = "Time limit of one image (default: 33).")
  Integer imageTimeoutMinutes;

  @Option(
      names = "--runner",
      paramLabel = "LABEL",
      description = "Runner label of the build job (default: ubuntu-latest).")
  String runner;

  @Option(
      names = "--n-limit",
      paramLabel = "N",
      converter = OptionConverters.WholeNumberConverter.class,
      description = "Build at most N instances; 0 = all (default: 0).")
  Integer nLimit;

  @Option(
      names = "--shards",
      paramLabel = "K",
      converter = OptionConverters.WholeNumberConverter.class,
      description = "Split the build over a matrix of K jobs plus a merge job (default: 1).")
  Integer shards;

  @Option(
      names = "--dataset",
      paramLabel = "NAME",
      description = "Dataset id or file (default: the benchmark's profile).")
  String dataset;

  @Option(
      names = "--split",
      paramLabel = "NAME",
      description = "Dataset split (default: the benchmark's profile).")
  String split;

  @Option(
      names = "--image",
      paramLabel = "REPO",
      description =
          "Image repository to push to (default: ghcr.io/OWNER/BENCHMARK-agent, decided at run time).")
  String image;

  @Option(
      names = "--base-mirror",
      paramLabel = "REPO",
      description =
          "Mirror the bases into REPO (job mirror, once before every shard) and build from there;"
              + " empty = no mirror (default: empty).")
  String baseMirror;

  @Option(
      names = "--action-ref",
      paramLabel = "REF",
      description =
          "What steps `uses:` for imagefleet: OWNER/REPO@REF, ./PATH or docker://IMAGE (default: "
              + WorkflowSettings.DEFAULT_ACTION_REF
              + ").")
  String actionRef;

  @Option(
      names = "--min-free-gb",
      paramLabel = "N",
      converter = OptionConverters.WholeNumberConverter.class,
      description =
          "Free disk (GiB) preflight requires before the build starts: the start gate (default: 75).")
  Integer minFreeGb;

  @Option(
      names = "--build-min-free-gb",
      paramLabel = "N",
      converter = OptionConverters.WholeNumberConverter.class,
      description =
          "Free disk (GiB) the build keeps while images are in flight: its running floor, given to build as --min-free-gb (default: 20).")
  Integer buildMinFreeGb;

  @Option(
      names = "--keep-storage-gb",
      paramLabel = "N",
      converter = OptionConverters.WholeNumberConverter.class,
      description = "Build cache (GiB) kept when pruning (default: 20).")
  Integer keepStorageGb;

  /** The options over the benchmark's profile: what is not given comes from the profile. */
  WorkflowSettings settings(Benchmark benchmark) {
    WorkflowSettings d = WorkflowSettings.defaults(benchmark);
    return new WorkflowSettings(
        benchmark,
        or(workers, d.workers()),
        or(batchSize, d.batchSize()),
        or(cacheMode, d.cacheMode()),
        or(timeoutMinutes, d.timeoutMinutes()),
        or(imageTimeoutMinutes, d.imageTimeoutMinutes()),
        or(runner, d.runner()),
        or(nLimit, d.nLimit()),
        or(shards, d.shards()),
        or(dataset, d.dataset()),
        or(split, d.split()),
        or(image, d.image()),
        or(baseMirror, d.baseMirror()),
        or(actionRef, d.actionRef()),
        or(minFreeGb, d.minFreeGb()),
        or(buildMinFreeGb, d.buildMinFreeGb()),
        or(keepStorageGb, d.keepStorageGb()));
  }

  private static <T> T or(T value, T fallback) {
    return value != null ? value : fallback;
  }
}
