package io.imagefleet;

import static org.assertj.core.api.Assertions.assertThat;

import io.imagefleet.cli.CliRun;
import io.imagefleet.fleet.FleetCheck;
import io.imagefleet.fleet.FleetOutputs;
import io.imagefleet.report.Reports;
import io.imagefleet.sdist.SdistCache;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Files imagefleet writes for people and later steps are rw-r--r--, and the directories it makes
 * for them rwxr-xr-x, even under umask 077: the action's container runs as root, and the steps
 * after it (upload-artifact, a script reading the report) run as the runner's user. The umask is
 * the process's, so the outputs are written by a child JVM started under {@code umask 077}.
 */
class OutputModesTest {
  private static final String FILE = "rw-r--r--";
  private static final String DIRECTORY = "rwxr-xr-x";

  @TempDir Path dir;

  @Test
  void everyKindOfOutputIsReadableByOtherUsersUnderARestrictiveUmask() throws Exception {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Process child =
        new ProcessBuilder(
                "sh",
                "-c",
                "umask 077 && exec \"$0\" -cp \"$1\" \"$2\" \"$3\"",
                java.toString(),
                System.getProperty("java.class.path"),
                WriteEveryOutput.class.getName(),
                dir.toString())
            .redirectErrorStream(true)
            .start();
    String console = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(child.waitFor(60, TimeUnit.SECONDS)).as(console).isTrue();
    assertThat(child.exitValue()).as(console).isZero();

    Map<String, String> expected =
        Stream.of(
                Map.entry("out", DIRECTORY),
                Map.entry("out/manifest.jsonl", FILE),
                Map.entry("out/disk.jsonl", FILE),
                Map.entry("out/summary.json", FILE),
                Map.entry("out/summary.md", FILE),
                Map.entry("out/logs", DIRECTORY),
                Map.entry("out/logs/a-1.log", FILE),
                Map.entry("out/logs/sdist.log", FILE),
                Map.entry("report", DIRECTORY),
                Map.entry("report/report.html", FILE),
                Map.entry("check", DIRECTORY),
                Map.entry("check/check.jsonl", FILE),
                Map.entry("repo/.github", DIRECTORY),
                Map.entry("repo/.github/workflows", DIRECTORY),
                Map.entry("repo/.github/workflows/swe-bench.yml", FILE),
                Map.entry("preflight/preflight.json", FILE))
            .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
    Map<String, String> actual =
        expected.keySet().stream()
            .collect(Collectors.toMap(path -> path, path -> mode(dir.resolve(path))));
    assertThat(actual).isEqualTo(expected);
  }

  private static String mode(Path path) {
    try {
      return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
    } catch (IOException e) {
      return "missing: " + e.getMessage();
    }
  }

  /** Writes each kind of output under args[0], through the code that writes it in a real run. */
  public static final class WriteEveryOutput {
    public static void main(String[] args) throws Exception {
      Path root = Path.of(args[0]);
      Path out = root.resolve("out");
      FleetOutputs.write(out);
      Path sdk = Files.createDirectories(root.resolve("sdk"));
      new SdistCache(root.resolve("cache"), Duration.ofSeconds(30))
          .obtain(sdk, "touch {out}/agent-0.1.tar.gz", out.resolve("logs").resolve("sdist.log"));
      Reports.write(List.of(out), root.resolve("report").resolve(Reports.FILE));
      FleetCheck.write(root.resolve("check"), new FleetCheck.Result(List.of(), Duration.ZERO));
      Path workflow = root.resolve("repo/.github/workflows/swe-bench.yml");
      CliRun generate = CliRun.run("generate", "swe-bench", "-o", workflow.toString());
      if (generate.exitCode() != 0) {
        throw new IllegalStateException(generate.err());
      }
      // preflight --json's writer (preflight itself needs a Docker daemon).
      SafeFiles.writeAtomically(root.resolve("preflight/preflight.json"), "{}".getBytes());
    }
  }
}
