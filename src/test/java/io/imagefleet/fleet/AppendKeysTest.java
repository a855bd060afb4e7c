package io.imagefleet.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import io.imagefleet.append.dockerfile.AppendPlan;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * {@link AppendKeys}: every input of a stage export or of the layer moves its key; others don't.
 */
class AppendKeysTest {
  private static final String BUILDER =
      """
      ARG BASE_IMAGE
      ARG PY=3.12
      FROM python:${PY} AS builder
      ARG EXTRA
      RUN pip install agent $EXTRA
      FROM ${BASE_IMAGE}
      ARG SDIST
      COPY --from=builder /opt/agent /opt/agent
      COPY ${SDIST} /opt/
      ENV A=1
      """;
  private static final Map<String, String> ARGS =
      Map.of("SDIST", "agent-0.1.tar.gz", "SDK_COMMIT", "abc1234", "EXTRA", "");
  private static final Map<String, String> CONTEXT =
      Map.of("Dockerfile", "sha256:d1", "agent-0.1.tar.gz", "sha256:s1");
  private static final Map<String, String> DIGESTS =
      Map.of("python:3.12", "sha256:p312", "python:3.11", "sha256:p311");

  private static String stageKey(
      String dockerfile, Map<String, String> args, Map<String, String> context, String platform) {
    return stageKey(dockerfile, args, context, platform, DIGESTS);
  }

  private static String stageKey(
      String dockerfile,
      Map<String, String> args,
      Map<String, String> context,
      String platform,
      Map<String, String> digests) {
    AppendPlan plan = AppendPlan.parse(dockerfile, Optional.empty(), args);
    AppendKeys keys =
        new AppendKeys(
            args,
            context.get("agent-0.1.tar.gz"),
            platform,
            "none",
            context,
            image -> Optional.ofNullable(digests.get(image)));
    return keys.stage(plan.stageInputs().get("builder"), plan.exportPaths().get("builder"))
        .key()
        .orElseThrow();
  }

  private static String base() {
    return stageKey(BUILDER, ARGS, CONTEXT, "linux/amd64");
  }

  @Test
  void theStageKeyMovesWithEachOfItsInputs() {
    String base = base();
    assertThat(
            stageKey(BUILDER.replace("pip install", "pip3 install"), ARGS, CONTEXT, "linux/amd64"))
        .as("a line of the stage")
        .isNotEqualTo(base);
    assertThat(stageKey(BUILDER.replace("PY=3.12", "PY=3.11"), ARGS, CONTEXT, "linux/amd64"))
        .as("a global ARG the FROM reads")
        .isNotEqualTo(base);
    assertThat(stageKey(BUILDER, with(ARGS, "EXTRA", "--pre"), CONTEXT, "linux/amd64"))
        .as("a build arg the stage declares")
        .isNotEqualTo(base);
    assertThat(stageKey(BUILDER, ARGS, CONTEXT, "linux/arm64"))
        .as("the platform")
        .isNotEqualTo(base);
    assertThat(
            stageKey(
                BUILDER, ARGS, CONTEXT, "linux/amd64", with(DIGESTS, "python:3.12", "sha256:new")))
        .as("the base's digest")
        .isNotEqualTo(base);
    assertThat(
            stageKey(
                BUILDER.replace("/opt/agent /opt/agent", "/opt/agent/bin /opt/agent/bin"),
                ARGS,
                CONTEXT,
                "linux/amd64"))
        .as("the paths taken out")
        .isNotEqualTo(base);
  }

  @Test
  void theStageKeyIgnoresWhatTheStageDoesNotRead() {
    String base = base();
    assertThat(stageKey(BUILDER.replace("ENV A=1", "ENV A=2"), ARGS, CONTEXT, "linux/amd64"))
        .as("the appended stage")
        .isEqualTo(base);
    assertThat(stageKey(BUILDER, with(ARGS, "SDK_COMMIT", "def5678"), CONTEXT, "linux/amd64"))
        .as("a build arg the stage doesn't name")
        .isEqualTo(base);
    assertThat(
            stageKey(BUILDER, ARGS, with(CONTEXT, "agent-0.1.tar.gz", "sha256:s2"), "linux/amd64"))
        .as("the context, which the stage doesn't copy from")
        .isEqualTo(base);
  }

  @Test
  void aStageThatCopiesTheSdistIsKeyedByIt() {
    String copies =
        BUILDER.replace("RUN pip install", "ARG SDIST\nCOPY ${SDIST} /tmp/\nRUN pip install");
    assertThat(
            stageKey(copies, ARGS, with(CONTEXT, "agent-0.1.tar.gz", "sha256:s2"), "linux/amd64"))
        .isNotEqualTo(stageKey(copies, ARGS, CONTEXT, "linux/amd64"));
  }

  @Test
  void anEarlierStageTheStageBuildsOnCounts() {
    String chained =
        """
        FROM python:3.12 AS deps
        RUN pip install deps
        FROM deps AS builder
        RUN pip install agent
        FROM ${BASE_IMAGE}
        COPY --from=builder /opt/agent /opt/agent
        """;
    assertThat(stageKey(chained.replace("install deps", "install deps2"), ARGS, CONTEXT, "x"))
        .isNotEqualTo(stageKey(chained, ARGS, CONTEXT, "x"));
  }

  @Test
  void noKeyWithoutTheBasesDigestOrForAUrl() {
    AppendPlan plan = AppendPlan.parse(BUILDER, Optional.empty(), ARGS);
    AppendKeys keys =
        new AppendKeys(ARGS, "sha256:s1", "x", "none", CONTEXT, i -> Optional.empty());
    AppendKeys.Key key =
        keys.stage(plan.stageInputs().get("builder"), plan.exportPaths().get("builder"));
    assertThat(key.key()).isEmpty();
    assertThat(key.whyNot()).isEqualTo("the digest of python:3.12 is unknown");
    AppendPlan url =
        AppendPlan.parse(
            BUILDER.replace("RUN pip", "ADD https://example.com/a.tgz /a.tgz\nRUN pip"),
            Optional.empty(),
            ARGS);
    AppendKeys known =
        new AppendKeys(
            ARGS, "sha256:s1", "x", "none", CONTEXT, i -> Optional.ofNullable(DIGESTS.get(i)));
    assertThat(known.stage(url.stageInputs().get("builder"), List.of("/opt/agent")).whyNot())
        .isEqualTo("line 5 ADDs a URL, whose content is the server's");
  }

  @Test
  void theLayerKeyMovesWithTheStageExportTheContextAndTheAppendedLines() {
    AppendPlan plan = AppendPlan.parse(BUILDER, Optional.empty(), ARGS);
    AppendKeys keys =
        new AppendKeys(ARGS, "sha256:s1", "x", "none", CONTEXT, i -> Optional.empty());
    String base = keys.layer(plan, Map.of("builder", "sha256:t1"), 1);
    assertThat(keys.layer(plan, Map.of("builder", "sha256:t1"), 1)).isEqualTo(base);
    assertThat(keys.layer(plan, Map.of("builder", "sha256:t2"), 1)).isNotEqualTo(base);
    assertThat(keys.layer(plan, Map.of("builder", "sha256:t1"), 2)).isNotEqualTo(base);
    AppendKeys otherSdist =
        new AppendKeys(
            ARGS,
            "sha256:s2",
            "x",
            "none",
            with(CONTEXT, "agent-0.1.tar.gz", "sha256:s2"),
            i -> Optional.empty());
    assertThat(otherSdist.layer(plan, Map.of("builder", "sha256:t1"), 1)).isNotEqualTo(base);
    AppendPlan otherLines =
        AppendPlan.parse(
            BUILDER.replace("COPY ${SDIST} /opt/", "COPY ${SDIST} /srv/"), Optional.empty(), ARGS);
    assertThat(keys.layer(otherLines, Map.of("builder", "sha256:t1"), 1)).isNotEqualTo(base);
  }

  private static Map<String, String> with(Map<String, String> map, String key, String value) {
    Map<String, String> copy = new HashMap<>(map);
    copy.put(key, value);
    return copy;
  }
}
