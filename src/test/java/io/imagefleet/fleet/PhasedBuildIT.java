package io.imagefleet.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.imagefleet.cli.CliRun;
import io.imagefleet.testing.BuildRig;
import io.imagefleet.testing.TestDocker;
import io.imagefleet.testing.TestRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code build --builder auto} on a Dockerfile that runs a command on each base and copies the
 * agent from a builder stage: phased. The first run builds one env image per base and appends the
 * agent; a run for a new SDK commit builds no env image at all and gives images with the new agent
 * on the same env.
 */
class PhasedBuildIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final List<String> IDS = List.of("pb-1", "pb-2");

  @TempDir static Path dir;
  private static BuildRig rig;
  private static Path dockerfile;

  @BeforeAll
  static void rig() throws Exception {
    rig = BuildRig.create(dir);
    rig.pushBases(Map.of("pb-1", "base one", "pb-2", "base two"));
    Files.write(dir.resolve("ids.txt"), IDS);
    dockerfile =
        Files.writeString(
            dir.resolve("phased.Dockerfile"),
            """
            ARG BASE_IMAGE
            FROM %s/%s/busybox:1 AS builder
            ARG SDIST
            COPY ${SDIST} /src/
            RUN mkdir -p /opt/agent/bin && tar xzf /src/${SDIST} -O > /opt/agent/sdk \\
             && printf '#!/bin/sh\\ncat /opt/agent/sdk\\n' > /opt/agent/bin/agent \\
             && chmod 755 /opt/agent/bin/agent
            FROM ${BASE_IMAGE}
            RUN mkdir -p /workspace && cat /marker >> /workspace/env-runs && echo >> /workspace/env-runs
            ARG SDK_COMMIT
            COPY --from=builder /opt/agent /opt/agent
            ENV PATH=$PATH:/opt/agent/bin
            LABEL io.imagefleet.sdk-commit=${SDK_COMMIT}
            WORKDIR /workspace
            """
                .formatted(TestRegistry.HOST, rig.namespace));
  }

  @Test
  void envImagesAreBuiltOncePerBaseAndANewCommitOnlyAppends() throws Exception {
    // given a first SDK commit
    Path first = sdist("first", "agent version one");
    CliRun cold = build("out-1", first, "1111111aaaaaaa");

    // then auto chose phased, built an env image per base and appended the agent to it
    assertThat(cold.exitCode()).as(cold.err()).isZero();
    assertThat(cold.err())
        .contains("builder auto: phased (")
        .contains("phased: an env image per base from the Dockerfile up to line 9")
        .contains("phased: 2 env image(s) built, 0 reused");
    Map<String, JsonNode> one = records(dir.resolve("out-1"));
    for (String id : IDS) {
      assertThat(one.get(id).path("status").asText()).isEqualTo("built");
      assertThat(one.get(id).path("env").asText())
          .startsWith(rig.image() + ":env-")
          .endsWith("-bases-" + id);
      // the env image's build is its own phase; the appended tail's blobs are counted
      PhaseTimesTest.assertAddsUp(one.get(id));
      assertThat(one.get(id).path("phases").path("env").asDouble()).isPositive();
      assertThat(one.get(id).path("bytes").path("present").asLong()).isPositive();
    }
    String image = one.get("pb-1").path("tags").get(0).asText();
    assertThat(run(image, "agent; cat /workspace/env-runs; pwd; echo $PATH"))
        .isEqualTo(
            "agent version one\nbase one\n/workspace\n"
                + "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:/opt/agent/bin");

    // when a new SDK commit with a new sdist is built
    Path second = sdist("second", "agent version two");
    CliRun warm = build("out-2", second, "2222222bbbbbbb");

    // then no env image was built; each image has the new agent on the env image it had
    assertThat(warm.exitCode()).as(warm.err()).isZero();
    assertThat(warm.err()).contains("phased: 0 env image(s) built, 2 reused");
    assertThat(JSON.readTree(dir.resolve("out-2/summary.json").toFile()).path("builder").asText())
        .isEqualTo("phased (0 env image(s) built, 2 reused)");
    Map<String, JsonNode> two = records(dir.resolve("out-2"));
    for (String id : IDS) {
      assertThat(two.get(id).path("status").asText()).isEqualTo("built");
      assertThat(two.get(id).path("env").asText()).isEqualTo(one.get(id).path("env").asText());
    }
    String newer = two.get("pb-2").path("tags").get(0).asText();
    assertThat(run(newer, "agent; cat /workspace/env-runs"))
        .isEqualTo("agent version two\nbase two");
  }

  @Test
  void anEnvImageThatFailsToBuildFailsItsImageAndTheOthersGoOn() throws Exception {
    Path refusing =
        Files.writeString(
            dir.resolve("refusing.Dockerfile"),
            "ARG BASE_IMAGE\nFROM ${BASE_IMAGE}\n"
                + "RUN if grep -q two /marker; then echo no env here >&2; exit 3; fi\n"
                + "ARG SDIST\nCOPY ${SDIST} /opt/agent/\n");
    List<String> args = args("out-refusing", sdist("refusing", "x"), "4444444ddddddd");
    args.set(args.indexOf("--dockerfile") + 1, refusing.toString());
    args.set(args.indexOf("--image") + 1, rig.image() + "-refusing");
    args.addAll(List.of("--max-retries", "0", "--max-failures", "1"));

    CliRun run = CliRun.run(Map.of(), args.toArray(String[]::new));

    assertThat(run.exitCode()).as("one failure is within --max-failures 1").isZero();
    Map<String, JsonNode> records = records(dir.resolve("out-refusing"));
    assertThat(records.get("pb-1").path("status").asText()).isEqualTo("built");
    assertThat(records.get("pb-2").path("status").asText()).isEqualTo("failed");
    assertThat(records.get("pb-2").path("error").asText())
        .startsWith("env image " + rig.image() + "-refusing:env-");
    assertThat(Files.readString(dir.resolve("out-refusing/logs/pb-2.log"))).contains("no env here");
  }

  @Test
  void anExplicitPhasedBuildOfADockerfileWithNothingToAppendExitsTwoNamingTheLine()
      throws Exception {
    Path endsInRun =
        Files.writeString(
            dir.resolve("run-last.Dockerfile"),
            "ARG BASE_IMAGE\nFROM ${BASE_IMAGE}\nCOPY x /x\nRUN true\n");
    List<String> args = args("out-bad", sdist("bad", "x"), "3333333ccccccc");
    args.set(args.indexOf("--dockerfile") + 1, endsInRun.toString());
    args.set(args.indexOf("--builder") + 1, "phased");

    CliRun run = CliRun.run(Map.of(), args.toArray(String[]::new));

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err())
        .contains(
            "Dockerfile line 4 (RUN true): phased needs instructions after this line that append"
                + " can add");
  }

  private static Path sdist(String name, String content) throws Exception {
    Path src = Files.createDirectories(dir.resolve("sdist-" + name));
    Files.writeString(src.resolve("version"), content + "\n");
    Path file = dir.resolve("agent-" + name + ".tar.gz");
    Process tar =
        new ProcessBuilder("tar", "czf", file.toString(), "-C", src.toString(), "version")
            .inheritIO()
            .start();
    assertThat(tar.waitFor()).isZero();
    return file;
  }

  private static List<String> args(String output, Path sdist, String commit) {
    List<String> args = new ArrayList<>(rig.buildArgs(dir.resolve("ids.txt"), dir.resolve(output)));
    args.set(args.indexOf("--dockerfile") + 1, dockerfile.toString());
    args.set(args.indexOf("--builder") + 1, "auto");
    args.addAll(
        List.of(
            "--min-free-gb",
            "0",
            "--workers",
            "2",
            "--sdist",
            sdist.toString(),
            "--sdk-commit",
            commit));
    return args;
  }

  private static CliRun build(String output, Path sdist, String commit) {
    return CliRun.run(Map.of(), args(output, sdist, commit).toArray(String[]::new));
  }

  private static Map<String, JsonNode> records(Path output) throws Exception {
    Map<String, JsonNode> records = new LinkedHashMap<>();
    for (String line : Files.readAllLines(output.resolve("manifest.jsonl"))) {
      JsonNode record = JSON.readTree(line);
      records.put(record.path("instance").asText(), record);
    }
    assertThat(records).containsOnlyKeys(IDS);
    return records;
  }

  /** Pulls the image, runs {@code script} in it without network, and removes it again. */
  private static String run(String image, String script) throws Exception {
    TestDocker.docker(Map.of(), "pull", "-q", image);
    try {
      return TestDocker.docker(Map.of(), "run", "--rm", "--network=none", image, "sh", "-c", script)
          .strip();
    } finally {
      TestDocker.docker(Map.of(), "rmi", image);
    }
  }
}
