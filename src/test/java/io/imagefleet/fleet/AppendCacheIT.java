package io.imagefleet.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import io.imagefleet.cli.CliRun;
import io.imagefleet.testing.BuildRig;
import io.imagefleet.testing.TestDocker;
import io.imagefleet.testing.TestRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Append's cache across runs, against the real daemon and registry: a second run with the same
 * inputs builds no stage (it runs with no daemon at all) and no layer; a changed stage input or
 * sdist misses; a broken cache entry is built again, not trusted.
 */
class AppendCacheIT {
  private static final Map<String, String> NO_DAEMON =
      Map.of("DOCKER_HOST", "unix:///nonexistent.sock");

  @TempDir static Path dir;
  private static BuildRig rig;
  private static Path dockerfile;
  private static int runs;

  @BeforeAll
  static void rig() throws Exception {
    rig = BuildRig.create(dir);
    rig.pushBases(Map.of("c-1", "base one"));
    // The builder stage's base must be in its registry: its digest there is part of the key.
    TestDocker.docker(
        Map.of(), "push", "-q", TestRegistry.HOST + "/" + rig.namespace + "/busybox:1");
    Files.write(dir.resolve("ids.txt"), List.of("c-1"));
    dockerfile =
        Files.writeString(
            dir.resolve("cached.Dockerfile"),
            """
            ARG BASE_IMAGE
            FROM %s/%s/busybox:1 AS builder
            ARG FLAVOUR=one
            RUN mkdir -p /opt/agent && echo "$FLAVOUR" > /opt/agent/flavour
            FROM ${BASE_IMAGE}
            ARG SDIST
            COPY --from=builder /opt/agent /opt/agent
            COPY ${SDIST} /opt/imagefleet/
            ENV AGENT_SDIST=/opt/imagefleet/${SDIST}
            """
                .formatted(TestRegistry.HOST, rig.namespace));
  }

  @Test
  void aSecondRunReusesAndAChangedInputOrABrokenEntryBuildsAgain() throws Exception {
    // given a first run, which builds the stage and the layer and keeps them
    Run first = build(Map.of());
    assertThat(first.cli.exitCode()).as(first.cli.err()).isZero();
    assertThat(first.cli.err())
        .contains("built stage(s) builder once through the Docker daemon")
        .contains("bytes), built once for every image")
        .doesNotContain("reused");
    assertThat(first.run("cat /opt/agent/flavour")).isEqualTo("one");

    // when the same run is made again where no Docker daemon answers
    Run second = build(NO_DAEMON);

    // then it succeeds with both from the cache, and the image is the same
    assertThat(second.cli.exitCode()).as(second.cli.err()).isZero();
    assertThat(second.cli.err())
        .contains("stage 'builder' reused from the cache (sha256:")
        .contains("bytes), reused from the cache for every image")
        .contains("every earlier stage came from the cache, so no Docker daemon is used")
        .doesNotContain("built stage(s)")
        .doesNotContain("built once");
    assertThat(second.run("cat /opt/agent/flavour")).isEqualTo("one");
    assertThat(layerDigest(second)).isEqualTo(layerDigest(first));

    // when a build arg the stage reads changes
    Run flavour = build(Map.of(), "--build-arg", "FLAVOUR=two");

    // then the stage (and so the layer) is built again, with the new input
    assertThat(flavour.cli.exitCode()).as(flavour.cli.err()).isZero();
    assertThat(flavour.cli.err())
        .contains("built stage(s) builder once")
        .contains("built once for every image");
    assertThat(flavour.run("cat /opt/agent/flavour")).isEqualTo("two");

    // when the SDK's files change (same commit, so the same build args), with no daemon
    Files.writeString(
        rig.sdk.resolve("pyproject.toml"),
        "[project]\nname = \"agent\"\nversion = \"0.1\"\n# v2\n");
    Run sdist = build(NO_DAEMON);

    // then the stage, which doesn't read the sdist, is reused and the layer is built anew
    assertThat(sdist.cli.exitCode()).as(sdist.cli.err()).isZero();
    assertThat(sdist.cli.err())
        .contains("stage 'builder' reused from the cache")
        .contains("built once for every image");
    assertThat(sdist.run("tar xzOf \"$AGENT_SDIST\" pyproject.toml | tail -1")).isEqualTo("# v2");

    // when a file of the cached stage export is changed on disk
    Path flavourFile;
    try (Stream<Path> files = Files.walk(dir.resolve("cache/append/stages"))) {
      List<Path> found =
          files
              .filter(p -> p.endsWith("opt/agent/flavour"))
              .filter(p -> content(p).equals("one\n"))
              .toList();
      assertThat(found).hasSize(1);
      flavourFile = found.get(0);
    }
    Files.writeString(flavourFile, "tampered\n");
    Run broken = build(Map.of());

    // then the entry is said to be broken, built again, and the image has the real file
    assertThat(broken.cli.exitCode()).as(broken.cli.err()).isZero();
    assertThat(broken.cli.err())
        .contains("is broken (its files' digest is")
        .contains("built stage(s) builder once");
    assertThat(broken.run("cat /opt/agent/flavour")).isEqualTo("one");
    assertThat(content(flavourFile)).isEqualTo("one\n");
  }

  private static String content(Path file) {
    try {
      return Files.readString(file);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static String layerDigest(Run run) {
    return run.cli.err().replaceAll("(?s).*agent layer (sha256:[0-9a-f]{64}).*", "$1");
  }

  /** One CLI run to its own image repository, so each builds its image. */
  private record Run(CliRun cli, String image) {
    String run(String script) throws Exception {
      TestDocker.docker(Map.of(), "pull", "-q", image);
      try {
        return TestDocker.docker(
                Map.of(), "run", "--rm", "--network=none", image, "sh", "-c", script)
            .strip();
      } finally {
        TestDocker.docker(Map.of(), "rmi", image);
      }
    }
  }

  private static Run build(Map<String, String> env, String... extra) throws Exception {
    runs++;
    String image = rig.image() + "-cache" + runs;
    List<String> args =
        new ArrayList<>(rig.buildArgs(dir.resolve("ids.txt"), dir.resolve("out-" + runs)));
    set(args, "--dockerfile", dockerfile.toString());
    set(args, "--builder", "append");
    set(args, "--image", image);
    args.addAll(List.of("--min-free-gb", "0"));
    args.addAll(List.of(extra));
    CliRun cli = CliRun.run(env, args.toArray(String[]::new));
    return new Run(cli, image + ":" + rig.commit().substring(0, 7) + "-bases-c-1");
  }

  private static void set(List<String> args, String option, String value) {
    args.set(args.indexOf(option) + 1, value);
  }
}
