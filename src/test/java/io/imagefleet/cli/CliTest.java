package io.imagefleet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.imagefleet.ExitCode;
import org.junit.jupiter.api.Test;

class CliTest {

  @Test
  void versionComesFromThePom() {
    CliRun run = CliRun.run("--version");

    assertThat(run.exitCode()).isZero();
    assertThat(run.out().strip())
        .isEqualTo("imagefleet " + System.getProperty("project.version", "0.1.0"));
  }

  @Test
  void helpListsEveryExitCode() {
    CliRun run = CliRun.run("--help");

    assertThat(run.exitCode()).isZero();
    for (ExitCode code : ExitCode.values()) {
      assertThat(run.out())
          .containsPattern(
              "\\s"
                  + code.code()
                  + "\\s+"
                  + java.util.regex.Pattern.quote(code.meaning().split(" ")[0]));
    }
    assertThat(run.out()).contains("generate");
  }

  @Test
  void subcommandHelpListsExitCodesToo() {
    CliRun run = CliRun.run("generate", "--help");

    assertThat(run.out()).contains("Exit codes:").contains("--check found drift");
  }

  @Test
  void noSubcommandPrintsUsageAndExitsAsInvalidInput() {
    CliRun run = CliRun.run();

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).startsWith("Usage: imagefleet");
  }

  @Test
  void unknownSubcommandIsOneLineWithExitTwo() {
    CliRun run = CliRun.run("frobnicate");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err().lines()).hasSize(1);
    assertThat(run.err()).startsWith("imagefleet: Unmatched argument at index 0: 'frobnicate'");
  }
}
