package io.imagefleet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** What preflight decides before it touches Docker. */
class PreflightCommandTest {

  @Test
  void anUnreachableDaemonExitsFourWithinTenSeconds() {
    long start = System.nanoTime();

    CliRun run = CliRun.run(Map.of("DOCKER_HOST", "unix:///nonexistent.sock"), "preflight");

    assertThat((System.nanoTime() - start) / 1e9).isLessThan(10);
    assertThat(run.exitCode()).isEqualTo(4);
    assertThat(run.err())
        .startsWith(
            "imagefleet: cannot reach the Docker daemon at unix:///nonexistent.sock (DOCKER_HOST): ")
        .endsWith("; start Docker, or point DOCKER_HOST at a running daemon\n");
    assertThat(run.err().lines()).hasSize(1);
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "--min-free-gb -1|--min-free-gb must be at least 0, got -1",
        "--keep-storage-gb -5|--keep-storage-gb must be at least 0, got -5",
        "--probe sideways|--probe must be auto, direct or helper, got 'sideways'",
        "--no-prune --aggressive|--no-prune only measures; drop it, or drop --aggressive and --remove-toolchains",
      })
  void rejectsBadOptionsWithExitTwo(String args, String message) {
    String[] argv = ("preflight " + args).split(" ");

    CliRun run = CliRun.run(Map.of("DOCKER_HOST", "unix:///nonexistent.sock"), argv);

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).isEqualTo("imagefleet: " + message + "\n");
  }
}
