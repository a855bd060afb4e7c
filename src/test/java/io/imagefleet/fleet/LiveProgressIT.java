package io.imagefleet.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import io.imagefleet.testing.BuildRig;
import io.imagefleet.testing.Requirements;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * At a terminal (a pseudo-terminal from util-linux's {@code script}) the build redraws one live
 * line in place; in CI it prints numbered lines and never a carriage return.
 */
class LiveProgressIT {
  @TempDir static Path dir;
  private static BuildRig rig;

  @BeforeAll
  static void rig() throws Exception {
    Requirements.require(Files.isExecutable(Path.of("/usr/bin/script")), "script (util-linux)");
    rig = BuildRig.create(dir);
    Map<String, String> markers = new LinkedHashMap<>();
    for (String id : List.of("tty-1", "tty-2", "tty-3", "ci-1", "ci-2", "ci-3")) {
      markers.put(id, "fine " + id);
    }
    markers.put("tty-bad", "fail");
    rig.pushBases(markers);
  }

  @Test
  void aTerminalGetsOneLiveLineRedrawnInPlace() throws Exception {
    Path ids = Files.write(dir.resolve("tty.txt"), List.of("tty-1", "tty-2", "tty-3", "tty-bad"));
    List<String> build = command(ids, dir.resolve("tty-out"));

    String out = run(List.of("script", "-q", "-e", "-c", shell(build), "/dev/null"), Map.of());

    assertThat(out)
        .containsPattern("\r\\[0/4\\] [0-2]/2 workers busy")
        .containsPattern(
            "\r\\[4/4\\] 0/2 workers busy \\(failed 1, [0-9.]+ images/h, ETA [0-9:]+\\)")
        .contains("failed tty-bad after ")
        .contains("(log: " + dir.resolve("tty-out/logs/tty-bad.log") + ")")
        .doesNotContain("Step 1/", "[1/4] built");
  }

  @Test
  void ciGetsNumberedLinesAndNoCarriageReturn() throws Exception {
    Path ids = Files.write(dir.resolve("ci.txt"), List.of("ci-1", "ci-2", "ci-3"));
    List<String> build = command(ids, dir.resolve("ci-out"));

    String out =
        run(List.of("script", "-q", "-e", "-c", shell(build), "/dev/null"), Map.of("CI", "true"));

    assertThat(out.replace("\r\n", "\n")).doesNotContain("\r").contains("[3/3] ");
    assertThat(out).doesNotContain("workers busy", "Step 1/");
  }

  private static List<String> command(Path ids, Path output) {
    List<String> args =
        new ArrayList<>(
            List.of("java", "-jar", System.getProperty("imagefleet.jar", "target/imagefleet.jar")));
    args.addAll(rig.buildArgs(ids, output));
    args.addAll(List.of("--min-free-gb", "0", "--workers", "2", "--max-failures", "1"));
    return args;
  }

  private static String run(List<String> command, Map<String, String> extra) throws Exception {
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().remove("CI");
    builder.environment().remove("GITHUB_ACTIONS");
    builder.environment().putAll(extra);
    Process process = builder.start();
    process.getOutputStream().close();
    String out = new String(process.getInputStream().readAllBytes());
    assertThat(process.waitFor(180, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as(out).isZero();
    return out;
  }

  private static String shell(List<String> command) {
    return String.join(
        " ", command.stream().map(a -> "'" + a.replace("'", "'\\''") + "'").toList());
  }
}
