package io.imagefleet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The workflows committed under .github/workflows are exactly what generate produces. */
class RepositoryWorkflowsTest {

  @ParameterizedTest
  @ValueSource(strings = {"swe-bench", "swt-bench"})
  void committedWorkflowHasNotDrifted(String benchmark) {
    String file = ".github/workflows/" + benchmark + ".yml";

    CliRun run = CliRun.run("generate", benchmark, "-o", file, "--check");

    assertThat(run.out()).as("drift of " + file).isEmpty();
    assertThat(run.exitCode()).isZero();
    assertThat(run.err()).isEqualTo("imagefleet: " + file + " is up to date\n");
  }

  @org.junit.jupiter.api.Test
  void committedRetentionWorkflowHasNotDrifted() {
    String file = ".github/workflows/retention.yml";

    CliRun run = CliRun.run("generate", "retention", "-o", file, "--check");

    assertThat(run.out()).as("drift of " + file).isEmpty();
    assertThat(run.exitCode()).isZero();
    assertThat(run.err()).isEqualTo("imagefleet: " + file + " is up to date\n");
  }
}
