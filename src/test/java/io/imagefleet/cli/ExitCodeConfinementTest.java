package io.imagefleet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rooms throw what happened; only {@code cli} knows exit codes. A source file outside {@code cli}
 * that names {@code ExitCode} (or picks a number with {@code System.exit}) fails this test.
 */
class ExitCodeConfinementTest {
  private static final Path SOURCES = Path.of("src/main/java");
  private static final Path CLI = Path.of("io/imagefleet/cli");
  private static final Pattern EXIT = Pattern.compile("\\bExitCode\\b|\\bSystem\\.exit\\(");

  @Test
  void noSourceOutsideCliNamesAnExitCode() throws IOException {
    assertThat(outsideCliNamingExitCodes(SOURCES)).isEmpty();
    // The scan sees the tree: cli names them.
    assertThat(Files.readString(SOURCES.resolve(CLI).resolve("ExitCodes.java")))
        .containsPattern(EXIT);
  }

  @Test
  void theScanFindsAnExitCodeInAnotherRoom(@TempDir Path dir) throws IOException {
    Path fleet = Files.createDirectories(dir.resolve("io/imagefleet/fleet"));
    Files.writeString(fleet.resolve("Chooser.java"), "class Chooser { int c = ExitCode.OK; }");
    Files.writeString(fleet.resolve("Quitter.java"), "class Quitter { { System.exit(4); } }");
    Files.writeString(fleet.resolve("Fine.java"), "class Fine { int exitCodeOfBuildx; }");
    Path cli = Files.createDirectories(dir.resolve(CLI));
    Files.writeString(cli.resolve("Edge.java"), "class Edge { int c = ExitCode.OK; }");

    assertThat(outsideCliNamingExitCodes(dir))
        .containsExactlyInAnyOrder(
            Path.of("io/imagefleet/fleet/Chooser.java"),
            Path.of("io/imagefleet/fleet/Quitter.java"));
  }

  private static List<Path> outsideCliNamingExitCodes(Path root) throws IOException {
    try (Stream<Path> files = Files.walk(root)) {
      return files
          .filter(f -> f.toString().endsWith(".java"))
          .map(root::relativize)
          .filter(f -> !f.startsWith(CLI))
          .filter(f -> EXIT.matcher(read(root.resolve(f))).find())
          .sorted()
          .toList();
    }
  }

  private static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
