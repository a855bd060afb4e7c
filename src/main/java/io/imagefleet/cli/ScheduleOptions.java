package io.imagefleet.cli;

import io.imagefleet.ImagefleetException;
import io.imagefleet.fleet.BuildSettings;
import io.imagefleet.fleet.History;
import io.imagefleet.sdist.SdkInput;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * build's options for how the images are scheduled: width, disk checks, order, time, retries,
 * failures.
 */
final class ScheduleOptions {
  @Option(
      names = "--workers",
      defaultValue = "4",
      paramLabel = "N",
      description = "Images built at once (default: ${DEFAULT-VALUE}).")
  int workers;

  @Option(
      names = "--batch-size",
      defaultValue = "25",
      paramLabel = "N",
      description =
          "Free disk is measured, and build cache pruned when under --min-free-gb, every N image starts and at least every 60 s; workers never wait for one another (default: ${DEFAULT-VALUE}).")
  int batchSize;

  @Option(
      names = "--image-timeout",
      defaultValue = "33m",
      paramLabel = "DURATION",
      description = "Time limit of one image's build and push (default: ${DEFAULT-VALUE}).")
  String imageTimeout;

  @Option(
      names = "--deadline",
      paramLabel = "DURATION",
      description = "Stop starting images in time to finish by then (e.g. 5h30m).")
  String deadline;

  @Option(
      names = "--max-retries",
      defaultValue = "2",
      paramLabel = "N",
      description =
          "Retries of an image after a transient failure or a timeout (default: ${DEFAULT-VALUE}).")
  int maxRetries;

  @Option(
      names = "--retry-backoff",
      defaultValue = "5s",
      paramLabel = "DURATION",
      description = "Wait before the first retry; doubles each time (default: ${DEFAULT-VALUE}).")
  String retryBackoff;

  @Mixin DiskFloorOptions disk = new DiskFloorOptions();

  @Option(names = "--force", description = "Build images the registry already has.")
  boolean force;

  @Option(
      names = "--resume",
      description = "Build only what manifest.jsonl in --output doesn't show as built or skipped.")
  boolean resume;

  @Option(
      names = "--history",
      paramLabel = "FILE",
      description =
          "manifest.jsonl of an earlier run: images that took longest there start first, an image whose key it records is retagged, not built, and report.html and summary.md compare this run with it (default: with --resume, the manifest it reads, without the comparison).")
  Path history;

  @Option(
      names = "--max-failures",
      defaultValue = "0",
      paramLabel = "N",
      description = "Failed images tolerated before exit code 5 (default: ${DEFAULT-VALUE}).")
  int maxFailures;

  void check() {
    ImagefleetException.requireAtLeast("--workers", workers, 1);
    ImagefleetException.requireAtLeast("--batch-size", batchSize, 1);
    ImagefleetException.requireAtLeast("--max-retries", maxRetries, 0);
    disk.check();
    ImagefleetException.requireAtLeast("--max-failures", maxFailures, 0);
  }

  Duration imageTimeout() {
    return Durations.parse("--image-timeout", imageTimeout);
  }

  Optional<Duration> deadline() {
    return Optional.ofNullable(deadline).map(d -> Durations.parse("--deadline", d));
  }

  Duration retryBackoff() {
    return Durations.parse("--retry-backoff", retryBackoff);
  }

  /** The earlier run whose times order this one: --history, else the manifest --resume reads. */
  History history(Path manifest) {
    if (history != null) {
      return History.read(history, "--history", true);
    }
    return resume ? History.read(manifest, "--resume", false) : History.none();
  }

  /** Validates in the order users have always seen the messages, and builds the settings. */
  BuildSettings settings(
      InstanceOptions instances,
      ImageOptions image,
      OutputOptions output,
      SdkInput sdkInput,
      PrintWriter err) {
    check();
    OutputOptions.requireDirectory(output.output);
    instances.check();
    image.checkModes();
    sdkInput.requireSdk();
    return new BuildSettings(
        image.dockerfile(),
        image.target,
        image.buildArgs,
        image.networkMode(),
        image.push,
        image.cacheMode,
        workers,
        batchSize,
        imageTimeout(),
        deadline(),
        maxRetries,
        retryBackoff(),
        disk.floor(),
        force,
        maxFailures,
        output.output,
        image.secrets(err),
        image.platforms(),
        image.missingPlatform());
  }
}
