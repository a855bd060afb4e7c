package io.imagefleet.workflow;

import io.imagefleet.Benchmark;
import io.imagefleet.ImagefleetException;
import io.imagefleet.InputText;
import io.imagefleet.docker.CacheMode;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Everything {@code imagefleet generate} can tune, validated on construction. Each value becomes
 * the default of the workflow input of the same name, except {@code shards} and {@code actionRef},
 * which shape the workflow itself.
 */
public record WorkflowSettings(
    Benchmark benchmark,
    int workers,
    int batchSize,
    CacheMode cacheMode,
    int timeoutMinutes,
    int imageTimeoutMinutes,
    String runner,
    int nLimit,
    int shards,
    String dataset,
    String split,
    String image,
    String baseMirror,
    String actionRef,
    int minFreeGb,
    int buildMinFreeGb,
    int keepStorageGb) {

  public static final String DEFAULT_ACTION_REF = "imagefleet/imagefleet@v1";

  /** GitHub runs at most 256 jobs from one matrix. */
  static final int MAX_SHARDS = 256;

  private static final Pattern ACTION_REF =
      Pattern.compile(
          "(\\./[^\\s]*|docker://[^\\s]+|[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+(/[^\\s@]+)?@[^\\s]+)");
  private static final Pattern IMAGE_REPO =
      Pattern.compile("[a-z0-9]+([._-][a-z0-9]+)*(:[0-9]+)?(/[a-z0-9]+([._/-][a-z0-9]+)*)*");
  private static final Pattern RUNNER_LABEL = Pattern.compile("[A-Za-z0-9_.:-]+");

  public WorkflowSettings {
    text("--runner", runner);
    text("--dataset", dataset);
    text("--split", split);
    text("--image", image);
    text("--base-mirror", baseMirror);
    text("--action-ref", actionRef);
    ImagefleetException.requireAtLeast("--workers", workers, 1);
    ImagefleetException.requireAtLeast("--batch-size", batchSize, 1);
    ImagefleetException.requireAtLeast("--timeout-minutes", timeoutMinutes, 1);
    ImagefleetException.requireAtLeast("--image-timeout-minutes", imageTimeoutMinutes, 1);
    ImagefleetException.requireAtLeast("--n-limit", nLimit, 0);
    ImagefleetException.requireAtLeast("--shards", shards, 1);
    ImagefleetException.requireAtLeast("--min-free-gb", minFreeGb, 0);
    ImagefleetException.requireAtLeast("--build-min-free-gb", buildMinFreeGb, 0);
    ImagefleetException.requireAtLeast("--keep-storage-gb", keepStorageGb, 0);
    if (shards > MAX_SHARDS) {
      throw invalid("--shards must be at most " + MAX_SHARDS + " (one matrix), got " + shards);
    }
    if (imageTimeoutMinutes >= timeoutMinutes) {
      throw invalid(
          "--image-timeout-minutes ("
              + imageTimeoutMinutes
              + ") must be less than --timeout-minutes ("
              + timeoutMinutes
              + ") so that a hung image cannot eat the whole job");
    }
    if (!RUNNER_LABEL.matcher(runner).matches()) {
      throw invalid(
          "--runner must be one runner label such as ubuntu-latest, got '" + runner + "'");
    }
    notBlank("--dataset", dataset);
    notBlank("--split", split);
    if (!image.isEmpty() && !IMAGE_REPO.matcher(image).matches()) {
      throw invalid(
          "--image must be a lower-case image repository such as ghcr.io/org/agent, got '"
              + image
              + "'");
    }
    if (!baseMirror.isEmpty() && !IMAGE_REPO.matcher(baseMirror).matches()) {
      throw invalid(
          "--base-mirror must be a lower-case image repository such as ghcr.io/org/bases, or"
              + " empty for no mirror, got '"
              + baseMirror
              + "'");
    }
    if (!ACTION_REF.matcher(actionRef).matches()) {
      throw invalid(
          "--action-ref must look like OWNER/REPO@REF, ./PATH or docker://IMAGE, got '"
              + actionRef
              + "'");
    }
  }

  /** The settings a benchmark gets when no option is given. */
  public static WorkflowSettings defaults(Benchmark benchmark) {
    Benchmark.Profile profile = benchmark.profile();
    return new WorkflowSettings(
        benchmark,
        profile.workers(),
        profile.batchSize(),
        CacheMode.OFF,
        340,
        33,
        "ubuntu-latest",
        0,
        1,
        profile.dataset(),
        profile.split(),
        "",
        "",
        DEFAULT_ACTION_REF,
        75,
        20,
        20);
  }

  /** The options that reproduce these settings, in a fixed order; defaults are left out. */
  public List<String> options() {
    WorkflowSettings d = defaults(benchmark);
    List<String> args = new ArrayList<>();
    option(args, "--workers", workers, d.workers);
    option(args, "--batch-size", batchSize, d.batchSize);
    option(args, "--cache-mode", cacheMode, d.cacheMode);
    option(args, "--timeout-minutes", timeoutMinutes, d.timeoutMinutes);
    option(args, "--image-timeout-minutes", imageTimeoutMinutes, d.imageTimeoutMinutes);
    option(args, "--runner", runner, d.runner);
    option(args, "--n-limit", nLimit, d.nLimit);
    option(args, "--shards", shards, d.shards);
    option(args, "--dataset", dataset, d.dataset);
    option(args, "--split", split, d.split);
    option(args, "--image", image, d.image);
    option(args, "--base-mirror", baseMirror, d.baseMirror);
    option(args, "--action-ref", actionRef, d.actionRef);
    option(args, "--min-free-gb", minFreeGb, d.minFreeGb);
    option(args, "--build-min-free-gb", buildMinFreeGb, d.buildMinFreeGb);
    option(args, "--keep-storage-gb", keepStorageGb, d.keepStorageGb);
    return args;
  }

  private static void option(List<String> args, String name, Object value, Object fallback) {
    if (!value.equals(fallback)) {
      args.add(name);
      args.add(String.valueOf(value));
    }
  }

  /**
   * Values reach the header comment and YAML scalars: one line only, and no expression opener
   * (dollar and two braces), which GitHub would evaluate in a workflow_call input default.
   */
  private static void text(String option, String value) {
    InputText.requireOneLine(option, value);
    if (value.contains("${{")) {
      throw invalid(option + " must not contain '${{' (GitHub would evaluate it as an expression)");
    }
  }

  private static void notBlank(String option, String value) {
    if (value.isBlank()) {
      throw invalid(option + " must not be empty");
    }
  }

  private static ImagefleetException invalid(String message) {
    return ImagefleetException.invalidInput(message);
  }
}
