package io.imagefleet.fleet;

import io.imagefleet.docker.CacheMode;
import io.imagefleet.registry.Platform;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Settings of a run for these platforms, for tests that need nothing else. */
final class PlatformSettings {
  private PlatformSettings() {}

  static BuildSettings of(String platforms) {
    return new BuildSettings(
        Path.of("Dockerfile"),
        "",
        Map.of(),
        "none",
        true,
        CacheMode.OFF,
        1,
        1,
        Duration.ofMinutes(1),
        Optional.empty(),
        0,
        Duration.ofSeconds(1),
        new io.imagefleet.preflight.DiskFloor(0, 0),
        false,
        0,
        Path.of("out"),
        List.of(),
        Platform.parseList(platforms),
        MissingPlatform.SKIP);
  }
}
