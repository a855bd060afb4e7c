package io.imagefleet.actions;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ActionsIoTest {
  @TempDir Path dir;

  @Test
  void inputsKeepHyphensAndTreatEmptyAsUnset() {
    ActionsEnvironment env =
        new ActionsEnvironment(
            Map.of("INPUT_MIN-FREE-GB", " 40 ", "INPUT_DRY_RUN", "true", "INPUT_IMAGE", ""));

    assertThat(env.input("min-free-gb")).contains("40");
    assertThat(env.input("dry run")).contains("true");
    assertThat(env.input("image")).isEmpty();
    assertThat(env.input("workers")).isEmpty();
  }

  @Test
  void outputsAppendAndMultiLineValuesUseAFreshDelimiter() throws IOException {
    Path file = dir.resolve("output");
    Files.writeString(file, "earlier=1\n");
    StepFiles files =
        new StepFiles(new ActionsEnvironment(Map.of("GITHUB_OUTPUT", file.toString())));
    Map<String, String> outputs = new LinkedHashMap<>();
    outputs.put("built", "40");
    outputs.put("tags", "a:1\nb:2");

    files.setOutputs(outputs);

    String text = Files.readString(file);
    Matcher m =
        Pattern.compile("earlier=1\nbuilt=40\ntags<<(ghadelimiter_[0-9a-f-]{36})\na:1\nb:2\n(.*)\n")
            .matcher(text);
    assertThat(m.matches()).as(text).isTrue();
    assertThat(m.group(2)).isEqualTo(m.group(1));
  }

  @Test
  void summaryAppendsMarkdownWithATrailingNewline() throws IOException {
    Path file = dir.resolve("summary");
    StepFiles files =
        new StepFiles(new ActionsEnvironment(Map.of("GITHUB_STEP_SUMMARY", file.toString())));

    files.appendSummary("| a |");
    files.appendSummary("| b |\n");

    assertThat(Files.readString(file)).isEqualTo("| a |\n| b |\n");
  }

  @Test
  void markdownTextMentionsNoOneButKeepsAddresses() {
    assertThat(Markdown.text("@octocat and (@org/team) fixed it"))
        .isEqualTo("@\u200Boctocat and (@\u200Borg/team) fixed it");
    assertThat(Markdown.text("base@sha256:ab user_@x")).isEqualTo("base@sha256:ab user_@x");
  }

  @Test
  void withoutStepFilesNothingIsWritten() {
    StepFiles files = new StepFiles(new ActionsEnvironment(Map.of()));

    files.setOutput("built", "1");
    files.appendSummary("x");

    assertThat(dir.toFile().list()).isEmpty();
  }

  @Test
  void workflowCommandsEscapeDataAndProperties() {
    StringWriter out = new StringWriter();
    WorkflowCommands commands = new WorkflowCommands(new PrintWriter(out));

    commands.addMask("s3cr%t");
    commands.addMask("");
    commands.grouped("log of a,b", () -> "line 1\nline 2");
    commands.error("logs/a:b,c.log", 3, "failed: 50%\nsee log");
    commands.error(null, 0, "plain");

    String token = out.toString().replaceFirst("(?s).*?\n::stop-commands::(\\w+)\n.*", "$1");
    assertThat(out.toString())
        .isEqualTo(
            "::add-mask::s3cr%25t\n"
                + "::group::log of a,b\n::stop-commands::"
                + token
                + "\nline 1\nline 2\n::"
                + token
                + "::\n::endgroup::\n"
                + "::error file=logs/a%3Ab%2Cc.log,line=3::failed: 50%25%0Asee log\n"
                + "::error::plain\n");
  }
}
