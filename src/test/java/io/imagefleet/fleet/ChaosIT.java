package io.imagefleet.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import io.imagefleet.testing.TestDocker;
import io.imagefleet.testing.TestRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bench/chaos.sh --short}: 12 images through the fault proxy while the registry and dockerd
 * are killed and restarted, rerun with --resume until done; nothing lost, nothing miscounted.
 *
 * <p>Opt-in with {@code IMAGEFLEET_CHAOS=1}, even under CI: it kills the machine's dockerd, which
 * other tests (and people) may be using.
 */
class ChaosIT {
  @Test
  void aShortChaosRunLosesNothingAndCountsEverything(@TempDir Path dir) throws Exception {
    Assumptions.assumeTrue(
        "1".equals(System.getenv("IMAGEFLEET_CHAOS")),
        "set IMAGEFLEET_CHAOS=1 to run: it kills and restarts dockerd and the registry");
    TestRegistry.require();
    TestDocker.daemon().close();
    Path log = dir.resolve("chaos.log");

    Process chaos =
        new ProcessBuilder("bash", "bench/chaos.sh", "--short")
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
        .contains("| images lost | 0 |", "| miscounted | 0 |", "chaos run passed: 12 images");
  }
}
