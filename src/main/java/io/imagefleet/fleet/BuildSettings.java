package io.imagefleet.fleet;

import io.imagefleet.docker.CacheMode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** How a batch build runs; validated by the command that makes it. */
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
    long minFreeBytes,
    long keepBytes,
    boolean force,
    int maxFailures,
    Path output,
    List<String> secrets) {

  public BuildSettings {
    buildArgs = Map.copyOf(buildArgs);
    secrets = List.copyOf(secrets);
  }

  public Path logs() {
    return output.resolve("logs");
  }

  public Path manifest() {
    return output.resolve("manifest.jsonl");
  }
}
