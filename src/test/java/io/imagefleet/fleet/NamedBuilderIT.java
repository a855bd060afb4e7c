package io.imagefleet.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import io.imagefleet.cli.CliRun;
import io.imagefleet.docker.BuildxCli;
import io.imagefleet.testing.BuildRig;
import io.imagefleet.testing.TestDocker;
import io.imagefleet.testing.TestRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code build --buildx-builder} with the real registry: on a remote builder (the recording fake
 * docker CLI stands in for it: this machine has no buildx) no Docker daemon is needed, and on the
 * machine's own default builder when buildx is installed (GitHub's runners).
 */
class NamedBuilderIT {
  private static final String FAKE =
      Path.of("src/test/resources/fake-docker/docker").toAbsolutePath().toString();

  /** Nothing answers here: a run that needs the daemon exits 4. */
  private static final String NO_DAEMON = "unix:///nonexistent.sock";

  @TempDir static Path dir;
  private static BuildRig rig;

  @BeforeAll
  static void rig() throws Exception {
    rig = BuildRig.create(dir);
    rig.pushBases(Map.of("r-1", "base one"));
    Files.write(dir.resolve("ids.txt"), List.of("r-1"));
  }

  @Test
  void appendsEarlierStageIsBuiltOnARemoteBuilderWithNoDaemon() throws Exception {
    // given a Dockerfile whose agent layer copies from a builder stage, and a remote builder
    Path dockerfile =
        Files.writeString(
            dir.resolve("staged.Dockerfile"),
            """
            ARG BASE_IMAGE
            FROM %s/%s/busybox:1 AS builder
            RUN mkdir -p /opt/agent && echo built > /opt/agent/made
            FROM ${BASE_IMAGE}
            ARG SDIST
            COPY --from=builder /opt/agent /opt/agent
            COPY ${SDIST} /opt/imagefleet/
            """
                .formatted(TestRegistry.HOST, rig.namespace));
    TestDocker.docker(
        Map.of(), "push", "-q", TestRegistry.HOST + "/" + rig.namespace + "/busybox:1");
    Path calls = dir.resolve("append-calls");

    // when append runs with --buildx-builder rb where no daemon answers
    CliRun run =
        build(
            "append",
            calls,
            "--dockerfile",
            dockerfile.toString(),
            "--image",
            rig.image() + "-remote-append");

    // then the stage went through buildx on rb, only its copied path came out, and the image is
    // in the registry with that path
    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.err())
        .contains(
            "imagefleet build: buildx builder rb (driver remote, tcp://10.0.0.9:1234): builds"
                + " elsewhere; no free-disk checks or pruning here")
        .contains("built stage(s) builder once on buildx builder rb");
    assertThat(Files.readAllLines(calls))
        .filteredOn(c -> c.startsWith("buildx build"))
        .singleElement()
        .asString()
        .startsWith("buildx build --builder rb --progress plain --platform linux/amd64 --file ")
        .contains(" --target imagefleet-export ")
        .contains(" --output type=tar,dest=");
    String image = rig.image() + "-remote-append:" + rig.commit().substring(0, 7) + "-bases-r-1";
    TestDocker.docker(Map.of(), "pull", "-q", image);
    try {
      assertThat(
              TestDocker.docker(
                      Map.of(),
                      "run",
                      "--rm",
                      "--network=none",
                      image,
                      "cat",
                      "/opt/agent/from-buildx")
                  .strip())
          .isEqualTo("exported from stage builder by the fake buildx");
    } finally {
      TestDocker.docker(Map.of(), "rmi", image);
    }
  }

  @Test
  void buildxOnARemoteBuilderConnectsNoDaemonAndSaysItsDiskIsNotMeasured() throws Exception {
    Path calls = dir.resolve("buildx-calls");
    Path output = dir.resolve("out-buildx");

    // when buildx runs on rb where no daemon answers (the fake pushes nothing, so the image's
    // digest check fails: what matters is how far it got and what the report says)
    CliRun run =
        build(
            "buildx",
            calls,
            "--output",
            output.toString(),
            "--image",
            rig.image() + "-remote-buildx",
            "--max-retries",
            "0");

    // then nothing asked the daemon, the image went through buildx with --builder and --push,
    // and the summary tells the disk story of a builder elsewhere
    assertThat(run.err()).doesNotContain("cannot reach the Docker daemon");
    assertThat(run.exitCode()).as(run.err()).isEqualTo(5);
    assertThat(Files.readAllLines(calls))
        .filteredOn(c -> c.startsWith("buildx build"))
        .singleElement()
        .asString()
        .startsWith("buildx build --builder rb --progress plain --provenance=false --sbom=false")
        .contains(" --platform linux/amd64 ")
        .contains(" --push ");
    assertThat(Files.readString(output.resolve("summary.md")))
        .contains("Disk: builder rb is remote, not measured.");
    assertThat(Files.readString(output.resolve("report.html")))
        .contains("No disk measurements (disk: builder rb is remote, not measured).");
  }

  @Test
  void phasedBuildsItsEnvImagesOnARemoteBuilderWithNoDaemon() throws Exception {
    Path dockerfile =
        Files.writeString(
            dir.resolve("phased.Dockerfile"),
            """
            ARG BASE_IMAGE
            FROM ${BASE_IMAGE}
            RUN echo env > /env
            ARG SDIST
            COPY ${SDIST} /opt/agent/
            """);
    Path calls = dir.resolve("phased-calls");
    Path output = dir.resolve("out-phased");

    // when phased runs on rb where no daemon answers (the fake pushes no env image, so appending
    // the tail to it fails: what matters is where the env image was built)
    CliRun run =
        build(
            "phased",
            calls,
            "--dockerfile",
            dockerfile.toString(),
            "--output",
            output.toString(),
            "--image",
            rig.image() + "-remote-phased",
            "--max-retries",
            "0");

    // then the env image went to rb through buildx with --push, and no daemon was asked for
    assertThat(run.err())
        .doesNotContain("cannot reach the Docker daemon")
        .contains("(built on buildx builder rb when missing, reused by its key)");
    assertThat(run.exitCode()).as(run.err()).isEqualTo(5);
    assertThat(Files.readAllLines(calls))
        .filteredOn(c -> c.startsWith("buildx build"))
        .as("the env image, built again when the append finds it gone")
        .hasSize(2)
        .first()
        .asString()
        .startsWith("buildx build --builder rb --progress plain --provenance=false --sbom=false")
        .contains(" --platform linux/amd64 ")
        .contains("Dockerfile.imagefleet-env --tag " + rig.image() + "-remote-phased:env-")
        .contains(" --push ");
    assertThat(Files.readString(output.resolve("summary.md")))
        .contains("Disk: builder rb is remote, not measured.");
  }

  @Test
  void buildsOnTheMachinesOwnDefaultBuilder() throws Exception {
    BuildxCli buildx = new BuildxCli("docker", Map.of(), Duration.ofMinutes(2));
    Optional<BuildxCli.Builder> active = buildx.activeBuilder();
    Assumptions.assumeTrue(
        active.isPresent(),
        "docker buildx is not installed here (Debian's docker 20.10 has no buildx plugin); the"
            + " fake CLI tests cover --buildx-builder");
    String name = active.get().name();
    Path output = dir.resolve("out-default");
    List<String> args = new ArrayList<>(rig.buildArgs(dir.resolve("ids.txt"), output));
    set(args, "--builder", "buildx");
    set(args, "--image", rig.image() + "-default-builder");
    args.addAll(List.of("--min-free-gb", "0", "--buildx-builder", name));

    CliRun run = CliRun.run(Map.of(), args.toArray(String[]::new));

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.err()).contains("imagefleet build: buildx builder " + name + " (driver ");
    String tag = rig.commit().substring(0, 7) + "-bases-r-1";
    assertThat(
            TestRegistry.headManifest(rig.namespace + "/agent-default-builder", tag).statusCode())
        .isEqualTo(200);
    if (active.get().onDaemon(Optional.ofNullable(System.getenv("DOCKER_HOST")))) {
      assertThat(Files.readString(output.resolve("summary.md")))
          .contains("Free disk on the Docker data root:")
          .doesNotContain("is remote, not measured");
    }
  }

  private static CliRun build(String builder, Path calls, String... extra) {
    List<String> args =
        new ArrayList<>(rig.buildArgs(dir.resolve("ids.txt"), dir.resolve("out-" + builder)));
    set(args, "--builder", builder);
    args.addAll(List.of("--min-free-gb", "0", "--docker-cli", FAKE, "--buildx-builder", "rb"));
    for (int i = 0; i < extra.length; i += 2) {
      if (args.contains(extra[i])) {
        set(args, extra[i], extra[i + 1]);
      } else {
        args.addAll(List.of(extra[i], extra[i + 1]));
      }
    }
    Map<String, String> env = new HashMap<>();
    env.put("DOCKER_HOST", NO_DAEMON);
    env.put("FAKE_DOCKER_LOG", calls.toString());
    env.put("FAKE_BUILDX_VERSION", "v0.20.0");
    env.put("FAKE_BUILDX_BUILDERS", "rb=remote@tcp://10.0.0.9:1234");
    return CliRun.run(env, args.toArray(String[]::new));
  }

  private static void set(List<String> args, String option, String value) {
    args.set(args.indexOf(option) + 1, value);
  }
}
