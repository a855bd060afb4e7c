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
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code build --builder append} through the CLI against the real daemon and registry: the same
 * multi-stage Dockerfile built by the engine and by append gives the same files and config; a
 * COPY-only Dockerfile builds with no Docker daemon at all.
 */
class AppendBuildIT {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The labels append adds that Docker's builder doesn't. */
  private static final List<String> APPEND_LABELS =
      List.of(
          "org.opencontainers.image.revision",
          "org.opencontainers.image.base.name",
          "org.opencontainers.image.base.digest");

  @TempDir static Path dir;
  private static BuildRig rig;

  @BeforeAll
  static void rig() throws Exception {
    rig = BuildRig.create(dir);
    Map<String, String> markers = new LinkedHashMap<>();
    markers.put("eq-1", "base one");
    markers.put("eq-2", "base two");
    rig.pushBases(markers);
    Files.write(dir.resolve("ids.txt"), List.of("eq-1", "eq-2"));
  }

  @Test
  void appendGivesWhatTheEngineGivesForAMultiStageDockerfile() throws Exception {
    // given a builder stage that runs commands, and a last stage that only copies and configures
    Path dockerfile =
        Files.writeString(
            dir.resolve("multi.Dockerfile"),
            """
            ARG BASE_IMAGE
            FROM %s/%s/busybox:1 AS builder
            ARG SDK_COMMIT
            RUN mkdir -p /opt/agent/bin /opt/agent/lib \\
             && printf '#!/bin/sh\\necho agent runs\\n' > /opt/agent/bin/agent \\
             && chmod 755 /opt/agent/bin/agent && ln -s agent /opt/agent/bin/agent-link \\
             && seq 1 20000 > /opt/agent/lib/data && echo "$SDK_COMMIT" > /opt/agent/lib/commit \\
             && chmod 600 /opt/agent/lib/commit
            FROM ${BASE_IMAGE}
            ARG SDIST
            ARG SDK_COMMIT
            COPY --from=builder /opt/agent /opt/agent
            COPY ${SDIST} /opt/imagefleet/
            ENV PATH=/opt/agent/bin:$PATH AGENT_HOME=/opt/agent
            LABEL io.imagefleet.sdk-commit=${SDK_COMMIT} org.example.kind="agent image"
            WORKDIR /testbed
            """
                .formatted(TestRegistry.HOST, rig.namespace));

    // when the same run is made once with each builder
    CliRun engine = build(Map.of(), dockerfile, "engine", rig.image() + "-engine");
    CliRun append = build(Map.of(), dockerfile, "append", rig.image() + "-append");

    // then both pushed both images; append built the stage once and says it used append
    assertThat(engine.exitCode()).as(engine.err()).isZero();
    assertThat(append.exitCode()).as(append.err()).isZero();
    assertThat(append.err())
        .contains("builder append")
        .contains("built stage(s) builder once through the Docker daemon")
        .contains("built 2, skipped 0, failed 0");
    String tag = rig.commit().substring(0, 7) + "-bases-eq-1";
    String engineImage = rig.image() + "-engine:" + tag;
    String appendImage = rig.image() + "-append:" + tag;
    String probe =
        "for f in $(find /opt/agent /opt/imagefleet /marker /bin/busybox | sort); do"
            + " if [ -L $f ]; then echo \"$f -> $(readlink $f)\";"
            + " elif [ -f $f ]; then echo \"$f $(stat -c %a $f) $(md5sum < $f)\";"
            + " else echo \"$f dir\"; fi; done; agent; pwd; echo \"$PATH\"";
    String engineRun = run(engineImage, probe);
    String appendRun = run(appendImage, probe);
    assertThat(appendRun).isEqualTo(engineRun);
    assertThat(appendRun)
        .contains("/opt/agent/bin/agent 755 ")
        .contains("/opt/agent/bin/agent-link -> agent")
        .contains("/opt/agent/lib/commit 600 ")
        .contains("/opt/imagefleet/agent-0.1.tar.gz 644 ")
        .contains("/marker 644 ")
        .contains("agent runs\n/testbed\n/opt/agent/bin:");
    JsonNode engineConfig = inspect(engineImage);
    JsonNode appendConfig = inspect(appendImage);
    for (String field : List.of("Env", "WorkingDir", "Entrypoint", "Cmd", "User")) {
      assertThat(appendConfig.path(field)).as(field).isEqualTo(engineConfig.path(field));
    }
    Map<String, String> engineLabels = labels(engineConfig);
    Map<String, String> appendLabels = labels(appendConfig);
    assertThat(engineLabels)
        .containsEntry("org.example.kind", "agent image")
        .containsEntry("io.imagefleet.sdk-commit", rig.commit())
        .doesNotContainKeys(APPEND_LABELS.toArray(String[]::new));
    assertThat(appendLabels)
        .containsEntry("org.opencontainers.image.revision", rig.commit())
        .containsEntry("org.opencontainers.image.base.name", rig.base("eq-1"));
    APPEND_LABELS.forEach(appendLabels::remove);
    assertThat(appendLabels).isEqualTo(engineLabels);
  }

  @Test
  void aCopyOnlyDockerfileBuildsWithNoDockerDaemon() throws Exception {
    // given a Dockerfile whose last stage only copies the sdist, and no daemon where DOCKER_HOST
    // points
    Path dockerfile =
        Files.writeString(
            dir.resolve("copy.Dockerfile"),
            """
            ARG BASE_IMAGE
            FROM ${BASE_IMAGE}
            ARG SDIST
            COPY ${SDIST} /opt/agent/
            ENV AGENT_SDIST=/opt/agent/${SDIST}
            """);
    Map<String, String> noDaemon = Map.of("DOCKER_HOST", "unix:///nonexistent.sock");

    // when built with the default builder (auto), and for contrast with the engine
    CliRun auto = build(noDaemon, dockerfile, "auto", rig.image() + "-nodaemon");
    CliRun engine = build(noDaemon, dockerfile, "engine", rig.image() + "-nodaemon-engine");

    // then auto took append, used no daemon, and pushed images that run with the sdist in them
    assertThat(auto.exitCode()).as(auto.err()).isZero();
    assertThat(auto.err())
        .contains("builder append")
        .contains("no Docker daemon is used")
        .contains("built 2, skipped 0, failed 0");
    assertThat(engine.exitCode()).as("the engine needs the daemon: " + engine.err()).isEqualTo(4);
    JsonNode summary = JSON.readTree(dir.resolve("out-auto-nodaemon/summary.json").toFile());
    assertThat(summary.path("builder").asText()).isEqualTo("append");
    String image = rig.image() + "-nodaemon:" + rig.commit().substring(0, 7) + "-bases-eq-2";
    assertThat(run(image, "tar tzf \"$AGENT_SDIST\"; cat /marker"))
        .isEqualTo("pyproject.toml\nbase two");
  }

  private static CliRun build(
      Map<String, String> env, Path dockerfile, String builder, String image) {
    String suffix = image.substring(image.lastIndexOf('/') + 1).replace("agent", "");
    List<String> args =
        rig.buildArgs(dir.resolve("ids.txt"), dir.resolve("out-" + builder + suffix));
    set(args, "--dockerfile", dockerfile.toString());
    set(args, "--builder", builder);
    set(args, "--image", image);
    args.addAll(List.of("--min-free-gb", "0", "--workers", "2"));
    return CliRun.run(env, args.toArray(String[]::new));
  }

  private static void set(List<String> args, String option, String value) {
    args.set(args.indexOf(option) + 1, value);
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

  private static JsonNode inspect(String image) throws Exception {
    TestDocker.docker(Map.of(), "pull", "-q", image);
    try {
      return JSON.readTree(TestDocker.docker(Map.of(), "image", "inspect", image))
          .get(0)
          .path("Config");
    } finally {
      TestDocker.docker(Map.of(), "rmi", image);
    }
  }

  private static Map<String, String> labels(JsonNode config) {
    Map<String, String> labels = new TreeMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = config.path("Labels").fields();
        it.hasNext(); ) {
      Map.Entry<String, JsonNode> label = it.next();
      labels.put(label.getKey(), label.getValue().asText());
    }
    return labels;
  }
}
