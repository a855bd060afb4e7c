package io.imagefleet.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import io.imagefleet.testing.TestDocker;
import io.imagefleet.testing.TestRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code bench/chaos.sh --short --builder B}: 12 images through the fault proxy while the registry
 * and dockerd are killed and restarted, rerun with --resume until done; nothing lost, nothing
 * miscounted. Once with the engine builder, once with append.
 *
 * <p>Opt-in, even under CI: it kills the machine's dockerd, which other tests (and people) may be
 * using. {@code IMAGEFLEET_CHAOS=1} runs both builders, {@code IMAGEFLEET_CHAOS=engine} or {@code
 * =append} one.
 */
class ChaosIT {
  @ParameterizedTest
  @ValueSource(strings = {"engine", "append"})
  void aShortChaosRunLosesNothingAndCountsEverything(String builder, @TempDir Path dir)
      throws Exception {
    String chosen = String.valueOf(System.getenv("IMAGEFLEET_CHAOS"));
    Assumptions.assumeTrue(
        chosen.equals("1") || chosen.equals(builder),
        "set IMAGEFLEET_CHAOS=1 (or ="
            + builder
            + ") to run: it kills and restarts dockerd and the registry");
    TestRegistry.require();
    TestDocker.daemon().close();
    Path log = dir.resolve("chaos.log");

    Process chaos =
        new ProcessBuilder("bash", "bench/chaos.sh", "--short", "--builder", builder)
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    boolean finished = chaos.waitFor(60, TimeUnit.MINUTES);
    if (!finished) {
      chaos.destroy(); // SIGTERM: the script's trap restarts what it killed
      chaos.waitFor(3, TimeUnit.MINUTES);
    }

    String output = Files.readString(log);
    assertThat(finished).as(output).isTrue();
    assertThat(chaos.exitValue()).as(output).isZero();
    assertThat(output)
        .contains(
            "| images | 12 (" + builder + " builder,",
            "| images lost | 0 |",
            "| miscounted | 0 |",
            "chaos run passed: 12 images");
  }
}
