package io.imagefleet.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.imagefleet.ImagefleetException;
import io.imagefleet.InvalidInput;
import io.imagefleet.actions.ActionsEnvironment;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The entrypoint's mapping of INPUT_* variables, as GitHub names them, to the CLI. */
class ActionCommandTest {
  @TempDir Path dir;

  private final CommandLine root =
      Cli.create(
          new PrintWriter(new StringWriter()),
          new PrintWriter(new StringWriter()),
          new ActionsEnvironment(Map.of()));

  @Test
  void hyphenatedInputsFlagsAndLinesBecomeOptions() {
    ActionsEnvironment env =
        new ActionsEnvironment(
            Map.of(
                "INPUT_MIN-FREE-GB",
                "40",
                "INPUT_PATH",
                "/github/workspace\n\n/tmp\n",
                "INPUT_NO-PRUNE",
                "true",
                "INPUT_AGGRESSIVE",
                "false",
                "INPUT_JSON",
                "",
                "INPUT_IMAGE",
                "ignored by preflight"));

    assertThat(ActionCommand.arguments(spec("preflight"), env))
        .containsExactly(
            "--min-free-gb=40", "--path=/github/workspace", "--path=/tmp", "--no-prune");
  }

  @Test
  void aNegatableFlagSetToFalseIsItsNoForm() {
    ActionsEnvironment env =
        new ActionsEnvironment(
            Map.of(
                "INPUT_PUSH",
                "false",
                "INPUT_BUILD-ARG",
                "A=1\nB=two words",
                "INPUT_IMAGE",
                "ghcr.io/o/a"));

    assertThat(ActionCommand.arguments(spec("build"), env))
        .containsExactly(
            "--build-arg=A=1", "--build-arg=B=two words", "--image=ghcr.io/o/a", "--no-push");
  }

  @Test
  void reportTakesOneDirectoryALine() {
    ActionsEnvironment env =
        new ActionsEnvironment(
            Map.of("INPUT_DIR", "shards/a\n\nshards/b c\n", "INPUT_OUTPUT", "merged"));

    assertThat(ActionCommand.arguments(spec("report"), env))
        .containsExactly("--output=merged", "shards/a", "shards/b c");
  }

  @Test
  void generateRunsWithThePositionalBenchmarkAndWritesItsOutput() throws Exception {
    Path outputs = dir.resolve("outputs");
    Path workflow = dir.resolve("wf.yml");

    CliRun run =
        CliRun.run(
            Map.of(
                "INPUT_COMMAND",
                "generate",
                "INPUT_BENCHMARK",
                "swt-bench",
                "INPUT_SHARDS",
                "2",
                "INPUT_OUTPUT",
                workflow.toString(),
                "INPUT_CHECK",
                "false",
                "GITHUB_OUTPUT",
                outputs.toString()),
            "action");

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(Files.readString(workflow))
        .contains("#   imagefleet generate swt-bench --shards 2 -o " + workflow + "\n");
    assertThat(Files.readString(outputs)).isEqualTo("workflow=" + workflow + "\n");
  }

  @Test
  void anUnknownOrMissingCommandIsInvalidInput() {
    CliRun unknown =
        CliRun.run(Map.of("INPUT_COMMAND", "deploy", "INPUT_REGISTRY-PASSWORD", "tok3n"), "action");
    CliRun missing = CliRun.run(Map.of(), "action");

    assertThat(unknown.exitCode()).isEqualTo(2);
    assertThat(unknown.err())
        .isEqualTo(
            "::add-mask::tok3n\nimagefleet: input command: unknown command 'deploy'; use preflight, build, check, mirror, retain, generate or report\n");
    assertThat(missing.exitCode()).isEqualTo(2);
    assertThat(missing.err())
        .isEqualTo(
            "imagefleet: input command is required: preflight, build, check, mirror, retain, generate or report\n");
  }

  @Test
  void aFlagThatIsNotTrueOrFalseIsInvalidInput() {
    CliRun run =
        CliRun.run(
            Map.of("INPUT_COMMAND", "preflight", "INPUT_AGGRESSIVE", "yes please"), "action");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err())
        .isEqualTo("imagefleet: input aggressive must be true or false, got 'yes please'\n");
  }

  @Test
  void aPositionalInputThatWouldReadAsAnOptionIsInvalidInput() {
    // given report's directories with a line that is an option, and generate's benchmark likewise
    ActionsEnvironment hiddenLine =
        new ActionsEnvironment(Map.of("INPUT_DIR", "out\n--output=/elsewhere"));
    ActionsEnvironment dash = new ActionsEnvironment(Map.of("INPUT_BENCHMARK", "--help"));

    // then neither becomes a command line
    assertThatThrownBy(() -> ActionCommand.arguments(spec("report"), hiddenLine))
        .isInstanceOf(ImagefleetException.class)
        .isInstanceOf(InvalidInput.class)
        .hasMessage(
            "input dir: '--output=/elsewhere' starts with '-' and would be read as an option;"
                + " write a path as ./--output=/elsewhere");
    assertThatThrownBy(() -> ActionCommand.arguments(spec("generate"), dash))
        .hasMessage(
            "input benchmark: '--help' starts with '-' and would be read as an option; write a"
                + " path as ./--help");
  }

  @Test
  void aSingleValuedPositionalInputWithANewlineIsInvalidInput() {
    CliRun run =
        CliRun.run(
            Map.of(
                "INPUT_COMMAND",
                "generate",
                "INPUT_BENCHMARK",
                "swe-bench\n--output=/tmp/elsewhere.yml"),
            "action");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err())
        .isEqualTo("imagefleet: input benchmark takes one value; remove the line break from it\n");
  }

  @Test
  void reportRefusesADirectoryInputThatIsAnOption() {
    CliRun run =
        CliRun.run(
            Map.of("INPUT_COMMAND", "report", "INPUT_DIR", "--output=" + dir.resolve("x")),
            "action");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err())
        .isEqualTo(
            "imagefleet: input dir: '--output="
                + dir.resolve("x")
                + "' starts with '-' and would be read as an option; write a path as ./--output="
                + dir.resolve("x")
                + "\n");
    assertThat(dir.resolve("x")).doesNotExist();
  }

  private CommandLine.Model.CommandSpec spec(String command) {
    return root.getSubcommands().get(command).getCommandSpec();
  }
}
