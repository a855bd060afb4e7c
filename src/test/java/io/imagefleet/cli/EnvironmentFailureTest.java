package io.imagefleet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.dockerjava.api.exception.InternalServerErrorException;
import io.imagefleet.actions.ActionsEnvironment;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.SocketException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;

/**
 * Failures of Docker, a registry, GitHub or the network that slip past the rooms untyped are exit
 * 4, never "internal error"; a local I/O error that slips past is not taken for the environment's.
 */
class EnvironmentFailureTest {
  static List<Exception> environmentFailures() {
    return List.of(
        new InternalServerErrorException("{\"message\":\"unrecognized image ID sha256:1\"}"),
        new RuntimeException(new SocketException("No such file or directory")),
        new IllegalStateException("wrapped", new SocketException("Connection reset")),
        new org.kohsuke.github.GHException("API rate limit exceeded"),
        new java.io.UncheckedIOException(new java.net.ConnectException("Connection refused")));
  }

  @ParameterizedTest
  @MethodSource("environmentFailures")
  void anEnvironmentFailureIsExitFourWithOneLine(Exception failure) {
    StringWriter err = new StringWriter();
    CommandLine cli =
        Cli.create(
            new PrintWriter(new StringWriter()),
            new PrintWriter(err),
            new ActionsEnvironment(Map.of()));

    int code = Cli.handleExecutionException(failure, cli, cli.parseArgs("build", "--help"));

    assertThat(code).isEqualTo(4);
    assertThat(err.toString())
        .startsWith("imagefleet: the environment failed (")
        .doesNotContain("internal error")
        .hasLineCount(1);
  }

  static List<Exception> localFailures() {
    return List.of(
        new java.io.UncheckedIOException(new IOException("No space left on device")),
        new IllegalStateException(
            "wrapped", new java.nio.file.AccessDeniedException("/out/report.html")));
  }

  @ParameterizedTest
  @MethodSource("localFailures")
  void anUntypedLocalIoErrorIsNotTheEnvironments(Exception failure) {
    StringWriter err = new StringWriter();
    CommandLine cli =
        Cli.create(
            new PrintWriter(new StringWriter()),
            new PrintWriter(err),
            new ActionsEnvironment(Map.of()));

    int code = Cli.handleExecutionException(failure, cli, cli.parseArgs("build", "--help"));

    assertThat(code).isEqualTo(1);
    assertThat(err.toString())
        .startsWith("imagefleet: internal error: ")
        .endsWith(" (rerun with --stacktrace for details)\n");
  }

  @org.junit.jupiter.api.Test
  void aProgrammingErrorIsStillInternal() {
    StringWriter err = new StringWriter();
    CommandLine cli =
        Cli.create(
            new PrintWriter(new StringWriter()),
            new PrintWriter(err),
            new ActionsEnvironment(Map.of()));

    int code =
        Cli.handleExecutionException(
            new NullPointerException("x"), cli, cli.parseArgs("build", "--help"));

    assertThat(code).isEqualTo(1);
    assertThat(err.toString()).startsWith("imagefleet: internal error: ");
  }
}
