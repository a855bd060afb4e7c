package io.imagefleet.append.dockerfile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PhasedPlanTest {
  private static final Map<String, String> ARGS =
      Map.of("SDIST", "agent-1.0.tar.gz", "SDK_COMMIT", "0123456789");

  private static PhasedPlan split(String dockerfile) {
    return PhasedPlan.split(dockerfile, Optional.empty(), ARGS);
  }

  @Test
  void theStageSplitsAfterItsLastRunAndTheBuilderStageStaysWithTheTail() {
    PhasedPlan plan =
        split(
            """
            ARG BASE_IMAGE
            FROM busybox AS builder
            ARG SDIST
            COPY ${SDIST} /src/
            RUN mkdir /opt/agent && tar xzf /src/${SDIST} -C /opt/agent
            FROM ${BASE_IMAGE}
            RUN apk add tmux
            ARG SDK_COMMIT
            COPY --from=builder /opt/agent /opt/agent
            ENV PATH=$PATH:/opt/agent/bin
            LABEL sdk=${SDK_COMMIT}
            """);

    // then the env image is the base plus its RUN, without the builder stage it doesn't need
    assertThat(plan.headDockerfile())
        .isEqualTo("ARG BASE_IMAGE\n\n\n\n\nFROM ${BASE_IMAGE}\nRUN apk add tmux\n");
    assertThat(plan.splitLine()).isEqualTo(7);
    assertThat(plan.perCommitUse()).isEmpty();
    // and the tail copies from the builder, built once per run
    assertThat(plan.tail().stageSources()).containsOnlyKeys("builder");
    assertThat(plan.tail().instructions())
        .extracting(Dockerfile.Instruction::line)
        .containsExactly(8, 9, 10, 11);
  }

  @Test
  void aStageReachedThroughAnotherStageSplitsOverTheWholeChain() {
    PhasedPlan plan =
        split(
            """
            ARG BASE_IMAGE
            FROM ${BASE_IMAGE} AS base-minimal
            RUN adduser -D agent && mkdir -p /workspace
            FROM busybox AS builder
            RUN mkdir -p /opt/agent/bin && echo hi > /opt/agent/bin/agent
            FROM base-minimal AS agent
            COPY --from=builder /opt/agent /opt/agent
            USER agent
            """);

    assertThat(plan.headDockerfile())
        .isEqualTo(
            "ARG BASE_IMAGE\nFROM ${BASE_IMAGE} AS base-minimal\n"
                + "RUN adduser -D agent && mkdir -p /workspace\n\n\nFROM base-minimal AS agent\n");
    assertThat(plan.tail().stageSources()).containsOnlyKeys("builder");
  }

  @Test
  void aCopyFromAnImageReferenceGoesToTheHeadAndWhatFollowsItIsAppended() {
    PhasedPlan plan =
        split(
            """
            ARG BASE_IMAGE
            FROM ${BASE_IMAGE}
            RUN echo env
            COPY --from=docker.io/library/busybox:1 /bin/busybox /usr/local/bin/busybox
            ARG SDIST
            COPY ${SDIST} /opt/agent/
            """);

    assertThat(plan.splitLine()).isEqualTo(4);
    assertThat(plan.tail().instructions())
        .extracting(Dockerfile.Instruction::line)
        .containsExactly(5, 6);
  }

  @Test
  void anEnvStageThatUsesTheSdistSaysSoWithItsLine() {
    PhasedPlan plan =
        split(
            """
            ARG BASE_IMAGE
            FROM ${BASE_IMAGE}
            ARG SDIST
            COPY ${SDIST} /tmp/
            RUN pip install /tmp/${SDIST}
            ENV AGENT=1
            """);

    assertThat(plan.perCommitUse()).contains("line 4 (COPY ${SDIST} /tmp/)");
  }

  @Test
  void aChmodOfWhatTheTailCopiedIsFoldedSoTheCopyStaysOutOfTheEnvImage() {
    PhasedPlan plan =
        split(
            """
            ARG BASE_IMAGE
            FROM busybox AS builder
            RUN mkdir /dist && echo agent > /dist/agent
            FROM ${BASE_IMAGE}
            RUN apk add tmux
            COPY --from=builder /dist/agent /usr/local/bin/agent
            RUN chmod +x /usr/local/bin/agent
            """);

    assertThat(plan.splitLine()).isEqualTo(5);
    assertThat(plan.tail().foldedRuns())
        .containsExactly("line 7 (RUN chmod +x /usr/local/bin/agent)");
  }

  @Test
  void aFoldableRunOnTheBasesOwnFilesStaysInTheHead() {
    PhasedPlan plan =
        split(
            """
            ARG BASE_IMAGE
            FROM ${BASE_IMAGE}
            RUN apk add tmux
            COPY agent /usr/local/bin/agent
            RUN chmod 600 /etc/shadow
            ENV A=1
            """);

    assertThat(plan.splitLine()).isEqualTo(5);
    assertThat(plan.tail().foldedRuns()).isEmpty();
  }

  @Test
  void aStageThatEndsInARunHasNothingToAppend() {
    assertThatThrownBy(
            () ->
                split(
                    """
                    ARG BASE_IMAGE
                    FROM ${BASE_IMAGE}
                    COPY agent /opt/agent
                    RUN chmod -R 755 /opt/agent && /opt/agent/setup
                    """))
        .isInstanceOf(NotAppendable.class)
        .hasMessageStartingWith(
            "Dockerfile line 4 (RUN chmod -R 755 /opt/agent && /opt/agent/setup):"
                + " phased needs instructions after this line that append can add");
  }

  @Test
  void aStageNotOnTheBaseImageCannotBePhased() {
    assertThatThrownBy(() -> split("FROM busybox\nRUN true\nENV A=1\n"))
        .isInstanceOf(NotAppendable.class)
        .hasMessageContaining("the built stage must reach FROM ${BASE_IMAGE}");
  }

  @Test
  void theEnvImagesLinesAreItsKeyAndTheTailsLinesAreNot() {
    String dockerfile =
        """
        ARG BASE_IMAGE
        FROM ${BASE_IMAGE}
        RUN echo env
        COPY agent-%s /opt/agent/
        """;
    PhasedPlan one = split(dockerfile.formatted("1"));
    PhasedPlan two = split(dockerfile.formatted("2"));

    assertThat(one.headLines()).isEqualTo(two.headLines());
    assertThat(one.headLines())
        .isEqualTo(List.of("ARG BASE_IMAGE", "FROM ${BASE_IMAGE}", "RUN echo env"));
  }
}
