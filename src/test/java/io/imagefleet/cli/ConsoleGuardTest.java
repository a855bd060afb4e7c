package io.imagefleet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** No value echoed in an error can start a workflow command line, whichever handler prints it. */
class ConsoleGuardTest {
  private static final Pattern COMMAND_LINE = Pattern.compile("(?m)^\\s*::|##\\[");
  private static final Map<String, String> RUNNER = Map.of("GITHUB_ACTIONS", "true");

  @Test
  void anExecutionErrorCarryingANewlineAndACommandPrintsItEscaped() {
    CliRun run =
        CliRun.run(
            RUNNER,
            "dispatch",
            "--repo",
            "a/b\n::error::y",
            "--workflow",
            "w.yml",
            "--ref",
            "main");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err())
        .isEqualTo("imagefleet: --repo must look like OWNER/NAME, got 'a/b\n\\::error::y'\n");
  }

  @Test
  void aThreadDyingOfAnExceptionPrintsOneEscapedLine() throws InterruptedException {
    Thread.UncaughtExceptionHandler before = Thread.getDefaultUncaughtExceptionHandler();
    StringWriter err = new StringWriter();
    try {
      Main.guardUncaught(new PrintWriter(err));
      Thread worker =
          new Thread(
              () -> {
                throw new IllegalStateException("id\n::error::owned");
              },
              "worker-1");
      worker.start();
      worker.join();
    } finally {
      Thread.setDefaultUncaughtExceptionHandler(before);
    }

    assertThat(err.toString())
        .isEqualTo(
            "imagefleet: thread worker-1 failed: java.lang.IllegalStateException: id\n"
                + "\\::error::owned\n");
    assertThat(COMMAND_LINE.matcher(err.toString()).find()).isFalse();
  }

  @Test
  void aParameterErrorToo() {
    CliRun run = CliRun.run(RUNNER, "build", "--workers", "1\r::set-output name=built::999");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err())
        .isEqualTo(
            "imagefleet: Invalid value for option '--workers': '1\r\\::set-output name=built::999'"
                + " is not an int (see 'imagefleet build --help')\n");
  }

  @Test
  void andTheStackTraceWithIt() {
    CliRun run =
        CliRun.run(
            RUNNER,
            "dispatch",
            "--repo",
            "a/b\n  ::add-mask::x\n##[set-output name=a]b",
            "--workflow",
            "w.yml",
            "--ref",
            "main",
            "--stacktrace");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err())
        .contains("io.imagefleet.InvalidInput: --repo must look like OWNER/NAME")
        .contains("\n  \\::add-mask::x\n##\\[set-output name=a]b'\n");
    assertThat(COMMAND_LINE.matcher(run.err()).find()).isFalse();
  }
}
