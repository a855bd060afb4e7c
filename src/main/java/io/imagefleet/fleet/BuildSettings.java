package io.imagefleet.fleet;

import io.imagefleet.docker.CacheMode;
import io.imagefleet.preflight.DiskFloor;
import io.imagefleet.registry.Platform;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * How a batch build runs; validated by the command that makes it. {@code diskFloor} is the running
 * floor (free space an image may not start below) and how much build cache a prune keeps. {@code
 * platforms} are {@code --platform}'s (two or more: each image is an index of one manifest per
 * platform), {@code missingPlatform} what a base lacking one of them does.
 */
public record BuildSettings(
    Path dockerfile,
    String target,
    Map<String, String> buildArgs,
    String network,
    boolean push,
    CacheMode cacheMode,
    int workers,
    int batchSize,
    Duration imageTimeout,
    Optional<Duration> deadline,
    int maxRetries,
    Duration retryBackoff,
    DiskFloor diskFloor,
    boolean force,
    int maxFailures,
    Path output,
    List<String> secrets,
    List<Platform> platforms,
    MissingPlatform missingPlatform) {

  public BuildSettings {
    buildArgs = Map.copyOf(buildArgs);
    secrets = List.copyOf(secrets);
    platforms = List.copyOf(platforms);
  }

  /** Whether each image is an index of two or more platforms. */
  public boolean multiPlatform() {
    return platforms.size() > 1;
  }

  public Path logs() {
    return output.resolve("logs");
  }

  public Path manifest() {
    return output.resolve("manifest.jsonl");
  }
}
