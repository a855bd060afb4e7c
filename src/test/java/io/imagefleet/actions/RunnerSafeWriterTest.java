package io.imagefleet.actions;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class RunnerSafeWriterTest {
  static final List<String> HOSTILE =
      List.of(
          "::set-output name=built::999",
          "  ::error file=README.md,line=1::x",
          "::stop-commands::x",
          "::add-mask::y",
          "##[set-output name=a]b",
          "build failed ##[error]here",
          "boom\n::error::y",
          "boom\r::error::y",
          "boom\r\n\t::warning::z",
          "\u00a0\u2003::notice::nbsp and em space",
          "\u200b::debug::zero width space",
          "###[x]",
          "#\u00ad#[set-output name=b]c");

  /** Lines as the runner reads them: split at \n, \r and \r\n. */
  static List<String> runnerLines(String text) {
    return Arrays.asList(text.split("\r\n|\r|\n", -1));
  }

  /** True when the runner would try the line as a command, as its TrimStart + parsers do. */
  static boolean looksLikeCommand(String line) {
    int i = 0;
    while (i < line.length()
        && (Character.isWhitespace(line.charAt(i))
            || Character.isSpaceChar(line.charAt(i))
            || Character.getType(line.charAt(i)) == Character.FORMAT)) {
      i++;
    }
    String visible = line.replaceAll("\\p{Cf}", "");
    return line.startsWith("::", i) || visible.contains("##[");
  }

  /** The lines of {@code text} the runner would try as commands. */
  static List<String> commandLines(String text) {
    return runnerLines(text).stream().filter(RunnerSafeWriterTest::looksLikeCommand).toList();
  }

  private static String printed(String... lines) {
    StringWriter raw = new StringWriter();
    PrintWriter out = RunnerSafeWriter.of(new PrintWriter(raw));
    Stream.of(lines).forEach(out::println);
    out.flush();
    return raw.toString();
  }

  @Test
  void hostileLinesComeOutEscapedWithABackslash() {
    String text = printed(HOSTILE.toArray(String[]::new));

    assertThat(text)
        .isEqualTo(
            "\\::set-output name=built::999\n"
                + "  \\::error file=README.md,line=1::x\n"
                + "\\::stop-commands::x\n"
                + "\\::add-mask::y\n"
                + "##\\[set-output name=a]b\n"
                + "build failed ##\\[error]here\n"
                + "boom\n\\::error::y\n"
                + "boom\r\\::error::y\n"
                + "boom\r\n\t\\::warning::z\n"
                + "\u00a0\u2003\\::notice::nbsp and em space\n"
                + "\u200b\\::debug::zero width space\n"
                + "###\\[x]\n"
                + "#\u00ad#\\[set-output name=b]c\n");
    assertThat(commandLines(text)).isEmpty();
  }

  @Test
  void ordinaryTextIsLeftAlone() {
    String plain = "a::b\n:x\n:\n#[x]\n# [x]\n[ 1/10] built  django__django-1  12.0s\n\n  indented";

    assertThat(printed(plain)).isEqualTo(plain + "\n");
  }

  @Test
  void writesSplitAnywhereComeOutAsOneWriteWould() {
    for (String line : HOSTILE) {
      String whole = printed(line);
      for (int cut = 0; cut <= line.length(); cut++) {
        StringWriter raw = new StringWriter();
        PrintWriter out = RunnerSafeWriter.of(new PrintWriter(raw));
        out.print(line.substring(0, cut));
        out.flush();
        out.print(line.substring(cut));
        out.println();
        out.flush();

        assertThat(raw.toString()).as("%s cut at %d", line, cut).isEqualTo(whole);
      }
    }
  }

  @Test
  void oneCharacterAtATimeToo() {
    StringWriter raw = new StringWriter();
    PrintWriter out = RunnerSafeWriter.of(new PrintWriter(raw));

    "  ::error::x\n##[group]y\n".chars().forEach(c -> out.write(c));
    out.flush();

    assertThat(raw.toString()).isEqualTo("  \\::error::x\n##\\[group]y\n");
  }

  @Test
  void aLeadingColonIsHeldBackUntilItsLineGoesOnButNotLost() {
    StringWriter raw = new StringWriter();
    PrintWriter out = RunnerSafeWriter.of(new PrintWriter(raw));

    out.print("  :");
    out.flush();
    String held = raw.toString();
    out.print("x");
    out.print("\n:");
    out.close();

    assertThat(held).isEqualTo("  ");
    assertThat(raw.toString()).isEqualTo("  :x\n:");
  }

  @Test
  void onlyWorkflowCommandsWriteCommandsAndEachStartsItsOwnLine() {
    StringWriter raw = new StringWriter();
    PrintWriter out = RunnerSafeWriter.of(new PrintWriter(raw));
    WorkflowCommands commands = new WorkflowCommands(out);

    out.print("partial ");
    commands.group("g");
    out.println("::endgroup::");
    commands.endGroup();
    commands.error("a.log", 0, "x\n::error::y");

    assertThat(raw.toString())
        .isEqualTo(
            "partial \n::group::g\n\\::endgroup::\n::endgroup::\n::error file=a.log::x%0A::error::y\n");
    assertThat(commandLines(raw.toString()))
        .containsExactly("::group::g", "::endgroup::", "::error file=a.log::x%0A::error::y");
  }

  @Test
  void verbatimStopsCommandsUnderATokenTheTextDoesNotHold() {
    StringWriter raw = new StringWriter();
    WorkflowCommands commands = new WorkflowCommands(new PrintWriter(raw));

    commands.verbatim("step 1\n::set-output name=built::999\n##[add-mask]x");

    String text = raw.toString();
    String token = text.substring("::stop-commands::".length(), text.indexOf('\n'));
    assertThat(token).matches("[0-9a-f]{32}");
    assertThat(text)
        .isEqualTo(
            "::stop-commands::"
                + token
                + "\nstep 1\n\\::set-output name=built::999\n##\\[add-mask]x\n::"
                + token
                + "::\n");
    assertThat(commandLines(text))
        .containsExactly("::stop-commands::" + token, "::" + token + "::");
  }

  @Test
  void wrappingTwiceKeepsOneGuard() {
    PrintWriter out = RunnerSafeWriter.of(new StringWriter());

    assertThat(RunnerSafeWriter.of(out)).isSameAs(out);
  }
}
