package io.imagefleet.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import io.imagefleet.docker.CacheMode;
import io.imagefleet.docker.DockerDaemon;
import io.imagefleet.registry.Credentials;
import io.imagefleet.registry.ImageReference;
import io.imagefleet.registry.Platform;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The engine's pulls of a base: with the login of the base's own registry, pinned or tagged. */
class EngineImageBuilderTest {
  @TempDir Path dir;

  @Test
  void aBasePinnedByDigestIsPulledWithItsRegistrysLogin() {
    List<String> pulls = new ArrayList<>();
    DockerDaemon daemon =
        (DockerDaemon)
            Proxy.newProxyInstance(
                DockerDaemon.class.getClassLoader(),
                new Class<?>[] {DockerDaemon.class},
                (proxy, method, args) ->
                    switch (method.getName()) {
                      case "imageExists" -> false;
                      case "pullImage" -> {
                        pulls.add(args[0] + " " + ((Optional<?>) args[1]).isPresent());
                        yield null;
                      }
                      case "buildImage" -> "sha256:" + "c".repeat(64);
                      default -> null;
                    });
    // the action's registry login: the target registry's, where the bases are mirrored too
    Credentials credentials =
        Credentials.load(
            Map.of("IMAGEFLEET_REGISTRY_PASSWORD", "token", "HOME", dir.toString()),
            ImageReference.parse("ghcr.io/org/agent:x"));
    String pinned = "ghcr.io/org/bases@sha256:" + "2".repeat(64);

    new EngineImageBuilder(daemon, credentials)
        .build(job("ghcr.io/org/bases:one").on(Platform.parse("linux/arm64")), log(), minute());
    new EngineImageBuilder(daemon, credentials)
        .build(job(pinned).on(Platform.parse("linux/arm64")), log(), minute());

    assertThat(pulls).containsExactly("ghcr.io/org/bases:one true", pinned + " true");
  }

  private ImageJob job(String base) {
    return new ImageJob(
        "i-1",
        base,
        ImageReference.parse("ghcr.io/org/agent:env-0123456789ab-bases-one"),
        dir,
        dir.resolve("Dockerfile"),
        "",
        Map.of("BASE_IMAGE", base),
        "none",
        false,
        CacheMode.OFF,
        List.of());
  }

  private Path log() {
    return dir.resolve("build.log");
  }

  private static Duration minute() {
    return Duration.ofMinutes(1);
  }
}
