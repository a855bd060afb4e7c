package io.imagefleet.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A failing image whose id, error and log tail carry workflow commands, on a runner and off. */
class ProgressTest {
  private static final String ID = "a\n::set-output name=built::999";
  private static final String TAIL =
      "Step 1/2 : FROM base\n"
          + "::set-output name=built::999\n"
          + "  ::error file=README.md,line=1::x\n"
          + "::stop-commands::x\n"
          + "::add-mask::y\n"
          + "##[set-output name=a]b\n"
          + "error: exit 1";
  private static final String NUMBERED =
      "[1/1] failed  a\n\\::set-output name=built::999 1.5s  (failed 1, 0.0 images/h, ETA 0:00:00)\n";

  @TempDir Path dir;

  @Test
  void onARunnerTheTailIsGroupedWithCommandsStoppedThenOneAnnotation() throws IOException {
    Path log = Files.writeString(dir.resolve("a.log"), TAIL);

    String text = report(true, log);

    String token = text.replaceFirst("(?s).*?\n::stop-commands::(\\w+)\n.*", "$1");
    assertThat(token).matches("[0-9a-f]{32}");
    assertThat(text)
        .isEqualTo(
            NUMBERED
                + "::group::log tail of a%0A::set-output name=built::999 ("
                + log
                + ")\n::stop-commands::"
                + token
                + "\nStep 1/2 : FROM base\n"
                + "\\::set-output name=built::999\n"
                + "  \\::error file=README.md,line=1::x\n"
                + "\\::stop-commands::x\n"
                + "\\::add-mask::y\n"
                + "##\\[set-output name=a]b\n"
                + "error: exit 1\n"
                + "::"
                + token
                + "::\n::endgroup::\n::error file="
                + log
                + "::a%0A::set-output name=built::999: build failed%0A::error::y\n");
    assertThat(commandLines(text))
        .containsExactly(
            "::group::log tail of a%0A::set-output name=built::999 (" + log + ")",
            "::stop-commands::" + token,
            "::" + token + "::",
            "::endgroup::",
            "::error file="
                + log
                + "::a%0A::set-output name=built::999: build failed%0A::error::y");
  }

  @Test
  void offARunnerTheTailIsIndentedAndNoLineIsACommand() throws IOException {
    Path log = Files.writeString(dir.resolve("a.log"), TAIL);

    String text = report(false, log);

    assertThat(text)
        .isEqualTo(
            NUMBERED
                + "    build failed\n"
                + "    \\::error::y\n"
                + "    | Step 1/2 : FROM base\n"
                + "    | ::set-output name=built::999\n"
                + "    |   ::error file=README.md,line=1::x\n"
                + "    | ::stop-commands::x\n"
                + "    | ::add-mask::y\n"
                + "    | ##\\[set-output name=a]b\n"
                + "    | error: exit 1\n");
    assertThat(commandLines(text)).isEmpty();
  }

  @Test
  void atATerminalOneLineIsRedrawnAndAFailureGetsOneLineAboveIt() throws IOException {
    Path log = Files.writeString(dir.resolve("a.log"), TAIL);
    StringWriter raw = new StringWriter();

    try (Progress progress = Progress.live(new PrintWriter(raw), 2, 4)) {
      progress.started();
      progress.started();
      progress.finished(
          new ManifestRecord(
              "b", "base:1", List.of(), null, ManifestRecord.Status.BUILT, 1, 2.0, null),
          log);
      progress.finished(
          new ManifestRecord(
              "a", "base:1", List.of(), null, ManifestRecord.Status.FAILED, 1, 1.5, "boom\nmore"),
          log);
    }

    String text = raw.toString();
    assertThat(text)
        .startsWith("\r[1/2] 1/4 workers busy (failed 0, ")
        .contains(
            "\rfailed a after 1.5s: boom (log: " + log + ")\n\r[2/2] 0/4 workers busy (failed 1, ")
        .doesNotContain("Step 1/", "more")
        .endsWith("\n");
    // The last redraw pads to the width of the line it replaces: a shorter rate leaves spaces.
    assertThat(text.stripTrailing()).endsWith(")");
  }

  private static String report(boolean onRunner, Path log) {
    StringWriter raw = new StringWriter();
    try (Progress progress = new Progress(new PrintWriter(raw), onRunner, 1, 3600)) {
      progress.started();
      progress.finished(
          new ManifestRecord(
              ID,
              "base:1",
              List.of(),
              null,
              ManifestRecord.Status.FAILED,
              1,
              1.5,
              "build failed\n::error::y"),
          log);
    }
    return raw.toString();
  }

  /** Lines the runner would try as commands (it splits at \r and \n and trims the start). */
  private static List<String> commandLines(String text) {
    return text.lines()
        .filter(line -> line.stripLeading().startsWith("::") || line.contains("##["))
        .toList();
  }
}
