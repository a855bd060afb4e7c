package io.imagefleet.cli;

import static org.assertj.core.api.Assertions.assertThat;

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

  @Test
  void helpNamesASubcommandWithoutItsRequiredOptions() {
    CliRun run = CliRun.run("help", "build");

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out())
        .isEqualTo(CliRun.run("build", "--help").out())
        .startsWith("Usage: imagefleet build");
  }

  @Test
  void checkHelpSaysWhichInstancesAreCheckedNotBuilt() {
    String help = CliRun.run("check", "--help").out();

    assertThat(help)
        .doesNotContain("Build only", "Build a seeded", "Build shard")
        .contains("Only these instances (comma-separated).")
        .contains("Only the instances listed in FILE, one id a line.")
        .contains("A seeded sample of N instances; 0 = all.")
        .contains("Shard i of K of the sorted list (default: 1/1).");
  }

  @Test
  void generateBatchSizeHelpIsTheDiskCheckCadence() {
    String help = CliRun.run("generate", "--help").out().replaceAll("\\s+", " ");

    assertThat(help)
        .doesNotContain("Images per batch")
        .contains(
            "--batch-size=N Free disk is measured (and build cache pruned when low) every N image"
                + " starts (default: the benchmark's profile).");
  }

  @Test
  void aMistypedSubcommandGetsTheNearestName() {
    CliRun run = CliRun.run("chek", "--image", "r");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err())
        .isEqualTo(
            "imagefleet: Unmatched arguments from index 0: 'chek', '--image', 'r'; did you mean"
                + " 'check'? (see 'imagefleet --help')\n");
  }

  @Test
  void aMistypedOptionGetsTheNearestName() {
    CliRun run = CliRun.run("report", "--ouput", "x");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err())
        .isEqualTo(
            "imagefleet: Unknown option: '--ouput'; did you mean '--output'? (see"
                + " 'imagefleet report --help')\n");
  }

  @Test
  void swappedLettersInAnOptionStillFindIt() {
    CliRun run = CliRun.run("build", "--dataset", "d.jsonl", "--image", "r", "--wrokers", "3");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err().lines()).hasSize(1);
    assertThat(run.err()).contains("'--wrokers'").contains("did you mean '--workers'?");
  }

  @Test
  void aMistypedRequiredOptionIsNamedNotJustMissing() {
    CliRun run = CliRun.run("build", "--datset", "d.jsonl", "--image", "r");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err().lines()).hasSize(1);
    assertThat(run.err())
        .startsWith(
            "imagefleet: Unknown options: '--datset', 'd.jsonl'; did you mean '--dataset'?");
  }

  @Test
  void aStrayArgumentDoesNotHideAMissingRequiredOption() {
    CliRun run = CliRun.run("build", "--image", "r", "stray");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).startsWith("imagefleet: Missing required option: '--dataset=FILE|HF-ID'");
  }
}
