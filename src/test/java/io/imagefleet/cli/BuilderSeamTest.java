package io.imagefleet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A builder added as one class and one service line (the test tree's {@code
 * io.imagefleet.seam.ListingBuilder}, listed in {@code src/test/seam/META-INF/services}, which only
 * these runs put on the class path) is named by --builder and runs with build's scheduling,
 * manifest and summary; auto never takes it.
 */
class BuilderSeamTest {
  @TempDir Path dir;

  @Test
  void aBuilderFromTheClassPathBuildsThroughTheWholeRun() throws Exception {
    Path out = dir.resolve("out");
    CliRun run = build(out, "--builder", "listing", "--no-push", "--force");

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(Files.readAllLines(out.resolve("listed.txt")))
        .hasSize(3)
        .allMatch(line -> line.matches("[abc]-1 127\\.0\\.0\\.1:9/base:[abc]-1 .*"));
    assertThat(Files.readString(out.resolve("manifest.jsonl"))).contains("\"status\":\"built\"");
    assertThat(Files.readString(out.resolve("summary.json"))).contains("listing");
    assertThat(run.err()).contains("builder listing");
  }

  @Test
  void withoutItsServiceLineItIsUnknown() throws Exception {
    CliRun run =
        CliRun.run(
            Map.of("DOCKER_HOST", "unix:///nonexistent.sock"),
            "build",
            "--dataset",
            Files.writeString(dir.resolve("one.txt"), "a-1\n").toString(),
            "--sdist",
            Files.writeString(dir.resolve("agent-1.0.tar.gz"), "sdist").toString(),
            "--sdk-commit",
            "0123456789abcdef0123456789abcdef01234567",
            "--image",
            "127.0.0.1:9/agent",
            "--builder",
            "listing",
            "--output",
            dir.resolve("unknown").toString());

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("--builder must be auto, append, phased, buildx or engine");
  }

  @Test
  void itsOwnRefusalEndsTheRunBeforeAnythingIsBuilt() throws Exception {
    Path out = dir.resolve("pushing");
    CliRun run = build(out, "--builder", "listing");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err())
        .isEqualTo("imagefleet: --builder listing pushes nothing; add --no-push\n");
    assertThat(out.resolve("listed.txt")).doesNotExist();
  }

  private CliRun build(Path out, String... builder) throws Exception {
    Path ids = Files.writeString(dir.resolve("ids.txt"), "a-1\nb-1\nc-1\n");
    Path sdist = Files.writeString(dir.resolve("agent-1.0.tar.gz"), "sdist");
    String[] args = {
      "build",
      "--dataset",
      ids.toString(),
      "--base-image-template",
      "127.0.0.1:9/base:{id}",
      "--image",
      "127.0.0.1:9/agent",
      "--sdist",
      sdist.toString(),
      "--sdk-commit",
      "0123456789abcdef0123456789abcdef01234567",
      "--output",
      out.toString()
    };
    String[] all = new String[args.length + builder.length];
    System.arraycopy(args, 0, all, 0, args.length);
    System.arraycopy(builder, 0, all, args.length, builder.length);
    Thread thread = Thread.currentThread();
    ClassLoader before = thread.getContextClassLoader();
    try (URLClassLoader withSeam =
        new URLClassLoader(new URL[] {Path.of("src/test/seam").toUri().toURL()}, before)) {
      thread.setContextClassLoader(withSeam);
      return CliRun.run(Map.of("DOCKER_HOST", "unix:///nonexistent.sock"), all);
    } finally {
      thread.setContextClassLoader(before);
    }
  }
}
