package io.imagefleet.append.assembly;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.imagefleet.append.dockerfile.AppendPlan;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ConfigEditorTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Instant CREATED = Instant.parse("2026-01-02T03:04:05Z");
  private static final ConfigEditor.Base BASE =
      new ConfigEditor.Base("docker.io/swebench/sweb.eval.x86_64.a_1776_b-1:latest", "sha256:b0");

  private static ObjectNode baseConfig() throws Exception {
    return (ObjectNode)
        JSON.readTree(
            """
            {"architecture":"amd64","os":"linux",
             "config":{"Env":["PATH=/usr/local/bin:/usr/bin:/bin","LANG=C.UTF-8"],
                       "Cmd":["python3"],"WorkingDir":"/testbed","Labels":{"maintainer":"swe"}},
             "container_config":{"Cmd":["/bin/sh","-c","#(nop) CMD python3"]},
             "rootfs":{"type":"layers","diff_ids":["sha256:base1"]},
             "history":[{"created":"2024-01-01T00:00:00Z","created_by":"base"}]}
            """);
  }

  private static ObjectNode edit(String dockerfile, Optional<String> diffId) throws Exception {
    AppendPlan plan =
        AppendPlan.parse(
            dockerfile, Optional.empty(), Map.of("SDK_COMMIT", "abc123", "SDIST", "s"));
    return new ConfigEditor(plan).apply(baseConfig(), BASE, diffId, CREATED);
  }

  @Test
  void appliesInstructionsAsDockerDoes() throws Exception {
    // given
    String dockerfile =
        """
        ARG BASE_IMAGE
        FROM ${BASE_IMAGE}
        ARG SDK_COMMIT
        ARG BASE_IMAGE
        ENV PATH=/opt/agent/bin:$PATH AGENT_HOME=/opt/agent HOME_BEFORE=x$AGENT_HOME
        ENV LANG C.utf8 with spaces
        LABEL io.imagefleet.sdk-commit="${SDK_COMMIT}" "quoted key"='$not expanded' base=$BASE_IMAGE
        WORKDIR sub
        COPY x /opt/agent/x
        USER 1000:1000
        ENTRYPOINT ["/opt/agent/bin/serve"]
        EXPOSE 8000 9000-9001/udp
        STOPSIGNAL SIGINT
        """;

    // when
    ObjectNode image = edit(dockerfile, Optional.of("sha256:agent"));

    // then: what `docker build` gives for the same Dockerfile on that base
    JsonNode config = image.get("config");
    assertThat(config.get("Env").toString())
        .isEqualTo(
            "[\"PATH=/opt/agent/bin:/usr/local/bin:/usr/bin:/bin\",\"LANG=C.utf8 with spaces\","
                + "\"AGENT_HOME=/opt/agent\",\"HOME_BEFORE=x\"]");
    assertThat(config.get("Labels"))
        .isEqualTo(
            JSON.readTree(
                """
                {"maintainer":"swe","io.imagefleet.sdk-commit":"abc123",
                 "quoted key":"$not expanded",
                 "base":"docker.io/swebench/sweb.eval.x86_64.a_1776_b-1:latest",
                 "org.opencontainers.image.revision":"abc123",
                 "org.opencontainers.image.base.name":"docker.io/swebench/sweb.eval.x86_64.a_1776_b-1:latest",
                 "org.opencontainers.image.base.digest":"sha256:b0"}
                """));
    assertThat(config.get("WorkingDir").asText()).isEqualTo("/testbed/sub");
    assertThat(config.get("User").asText()).isEqualTo("1000:1000");
    assertThat(config.get("Entrypoint").toString()).isEqualTo("[\"/opt/agent/bin/serve\"]");
    assertThat(config.get("Cmd").isNull()).as("ENTRYPOINT drops the inherited CMD").isTrue();
    assertThat(config.get("ExposedPorts"))
        .isEqualTo(JSON.readTree("{\"8000/tcp\":{},\"9000/udp\":{},\"9001/udp\":{}}"));
    assertThat(config.get("StopSignal").asText()).isEqualTo("SIGINT");
    assertThat(image.get("rootfs").toString())
        .isEqualTo("{\"type\":\"layers\",\"diff_ids\":[\"sha256:base1\",\"sha256:agent\"]}");
    assertThat(image.get("created").asText()).isEqualTo("2026-01-02T03:04:05Z");
    assertThat(image.has("container_config")).isFalse();
    // one history entry per instruction, exactly one of them (the COPY) with a layer
    assertThat(image.get("history")).hasSize(1 + 11);
    assertThat(image.get("history").get(7).toString())
        .isEqualTo(
            "{\"created\":\"2026-01-02T03:04:05Z\",\"created_by\":\"COPY x /opt/agent/x #"
                + " imagefleet append\",\"comment\":\"one layer for all COPY and ADD lines of the"
                + " stage\"}");
    long layers = 0;
    for (JsonNode entry : image.get("history")) {
      layers += entry.path("empty_layer").asBoolean(false) ? 0 : 1;
    }
    assertThat(layers).isEqualTo(image.get("rootfs").get("diff_ids").size());
  }

  @Test
  void shellFormsGoThroughShellAndCmdBeforeEntrypointStays() throws Exception {
    ObjectNode image =
        edit(
            """
            FROM ${BASE_IMAGE}
            SHELL ["/bin/bash", "-lc"]
            CMD serve --port 8000
            ENTRYPOINT exec tini --
            """,
            Optional.empty());

    JsonNode config = image.get("config");
    assertThat(config.get("Shell").toString()).isEqualTo("[\"/bin/bash\",\"-lc\"]");
    assertThat(config.get("Cmd").toString())
        .isEqualTo("[\"/bin/bash\",\"-lc\",\"serve --port 8000\"]");
    assertThat(config.get("Entrypoint").toString())
        .isEqualTo("[\"/bin/bash\",\"-lc\",\"exec tini --\"]");
    assertThat(image.get("rootfs").get("diff_ids")).hasSize(1);
  }

  @Test
  void baseWithoutPathGetsDockersDefault() throws Exception {
    ObjectNode base =
        (ObjectNode) JSON.readTree("{\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}");
    AppendPlan plan =
        AppendPlan.parse("FROM $BASE_IMAGE\nENV A=$PATH\n", Optional.empty(), Map.of());

    ObjectNode image = new ConfigEditor(plan).apply(base, BASE, Optional.empty(), CREATED);

    assertThat(image.get("config").get("Env").toString())
        .isEqualTo(
            "[\"PATH=" + ConfigEditor.DEFAULT_PATH + "\",\"A=" + ConfigEditor.DEFAULT_PATH + "\"]");
    assertThat(image.get("config").get("Labels").has("org.opencontainers.image.revision"))
        .isFalse();
  }
}
