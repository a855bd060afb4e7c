package io.imagefleet.append.dockerfile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class AppendPlanTest {
  private static final Map<String, String> ARGS =
      Map.of("SDIST", "agent-1.0.tar.gz", "SDK_COMMIT", "abc123", "BASE_IMAGE", "ignored:1");

  private static AppendPlan plan(String dockerfile) {
    return AppendPlan.parse(dockerfile, Optional.empty(), ARGS);
  }

  @Test
  void multiStageDockerfileCopiesFromTheBuilderStage() {
    // given a builder stage and a last stage FROM ${BASE_IMAGE}
    String dockerfile =
        """
        # syntax=docker/dockerfile:1
        ARG BASE_IMAGE=python:3.12
        FROM python:3.12 AS builder
        RUN pip install --target /agent-server agent
        FROM ${BASE_IMAGE}
        ARG SDIST
        COPY --from=builder /agent-server /opt/agent-server
        COPY ["${SDIST}", "/opt/imagefleet/"]
        ENV PATH=/opt/agent-server/bin:$PATH
        """;

    // when
    AppendPlan plan = plan(dockerfile);

    // then
    assertThat(plan.stageSources()).isEqualTo(Map.of("builder", List.of("/agent-server")));
    assertThat(plan.needsEarlierStages()).isTrue();
    assertThat(plan.copies())
        .extracting(FileCopy::sources, FileCopy::destination, FileCopy::destinationIsDirectory)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(
                List.of("/agent-server"), "/opt/agent-server", false),
            org.assertj.core.groups.Tuple.tuple(
                List.of("agent-1.0.tar.gz"), "/opt/imagefleet", true));
  }

  @Test
  void copyOnlyDockerfileNeedsNoDaemon() {
    AppendPlan plan = plan("FROM $BASE_IMAGE\nCOPY a.txt /a.txt\n");

    assertThat(plan.needsEarlierStages()).isFalse();
    assertThat(plan.stageSources()).isEmpty();
    assertThat(plan.addsFiles()).isTrue();
    assertThat(plan("FROM $BASE_IMAGE\nENV A=1\n").addsFiles()).isFalse();
  }

  @Test
  void runInTheLastStageIsRejectedNamingTheLine() {
    String dockerfile = "ARG BASE_IMAGE\nFROM ${BASE_IMAGE}\nCOPY x /x\n\nRUN pip install /x\n";

    assertThatThrownBy(() -> plan(dockerfile))
        .isInstanceOf(NotAppendable.class)
        .hasMessage(
            "Dockerfile line 5 (RUN pip install /x): RUN can't be assembled in a registry (after"
                + " FROM ${BASE_IMAGE} append takes only COPY, ADD of local files, ENV, LABEL,"
                + " WORKDIR, USER, ENTRYPOINT, CMD, EXPOSE, ARG, SHELL and STOPSIGNAL, and folds a"
                + " RUN of chmod, chown, mkdir -p and ln -s on paths the stage copied); use"
                + " --builder engine or --builder buildx for this Dockerfile");
  }

  @Test
  void continuationLinesKeepTheFirstLineNumber() {
    String dockerfile = "FROM ${BASE_IMAGE}\nCOPY a \\\n  # a comment\n  /a\nVOLUME \\\n /data\n";

    assertThatThrownBy(() -> plan(dockerfile)).hasMessageContaining("Dockerfile line 5 (VOLUME");
  }

  @Test
  void lastStageMustBeBuiltOnTheBaseImage() {
    assertThatThrownBy(() -> plan("FROM ubuntu:22.04\nCOPY a /a\n"))
        .isInstanceOf(NotAppendable.class)
        .hasMessageContaining("line 1 (FROM ubuntu:22.04): the appended stage must start FROM");
  }

  @Test
  void targetPicksTheAppendedStage() {
    String dockerfile = "FROM ${BASE_IMAGE} AS agent\nCOPY a /a\nFROM agent AS tests\nRUN make\n";

    AppendPlan plan = AppendPlan.parse(dockerfile, Optional.of("agent"), ARGS);

    assertThat(plan.copies()).hasSize(1);
  }

  @Test
  void relativeDestinationNeedsAWorkdirOfThisStage() {
    assertThatThrownBy(() -> plan("FROM ${BASE_IMAGE}\nCOPY a.txt app/\n"))
        .hasMessageContaining("relative destination 'app/' would depend on each base image");

    AppendPlan plan = plan("FROM ${BASE_IMAGE}\nWORKDIR /srv\nWORKDIR app\nCOPY a.txt sub/\n");
    assertThat(plan.copies().get(0).destination()).isEqualTo("/srv/app/sub");
    assertThat(plan.copies().get(0).destinationIsDirectory()).isTrue();
  }

  @Test
  void variablesAreExpandedWithDefaultsAndStageEnv() {
    String dockerfile =
        """
        FROM ${BASE_IMAGE}
        ARG SDIST
        ARG DEST=/opt/${NAME:-agent}
        ENV ROOT=${DEST}/lib
        COPY $SDIST ${ROOT}/${SDIST}
        """;

    FileCopy copy = plan(dockerfile).copies().get(0);

    assertThat(copy.sources()).containsExactly("agent-1.0.tar.gz");
    assertThat(copy.destination()).isEqualTo("/opt/agent/lib/agent-1.0.tar.gz");
  }

  @Test
  void copyMayNotReadWhatOnlyTheBaseDefines() {
    assertThatThrownBy(() -> plan("FROM ${BASE_IMAGE}\nCOPY a $HOME/a\n"))
        .hasMessageContaining(
            "it reads $HOME, which this stage neither declares with ARG nor sets with ENV, so its"
                + " value would come from each base image (the layer is built once per run); add"
                + " ARG HOME after FROM, or write the value out");
    assertThatThrownBy(() -> plan("FROM ${BASE_IMAGE}\nENV P=$PATH\nCOPY a /x/$P\n"))
        .hasMessageContaining("it reads $P");
    assertThatThrownBy(() -> plan("FROM ${BASE_IMAGE}\nARG BASE_IMAGE\nCOPY a /${BASE_IMAGE}\n"))
        .hasMessageContaining("it reads $BASE_IMAGE");
  }

  @Test
  void chownAndChmodMustBeNumeric() {
    FileCopy copy =
        plan("FROM ${BASE_IMAGE}\nCOPY --chown=1000 --chmod=0750 a /a\n").copies().get(0);
    assertThat(copy.owner()).contains(new FileCopy.Owner(1000, 1000));
    assertThat(copy.mode()).contains(0750);

    assertThatThrownBy(() -> plan("FROM ${BASE_IMAGE}\nCOPY --chown=agent:agent a /a\n"))
        .hasMessageContaining("--chown=agent:agent needs numeric ids");
    assertThatThrownBy(() -> plan("FROM ${BASE_IMAGE}\nCOPY --chmod=u+x a /a\n"))
        .hasMessageContaining("--chmod=u+x must be octal");
  }

  @Test
  void copyFromAnImageOrAStageOnTheBaseIsRejected() {
    assertThatThrownBy(() -> plan("FROM ${BASE_IMAGE}\nCOPY --from=alpine:3 /bin/sh /sh\n"))
        .hasMessageContaining("--from=alpine:3 names no earlier stage");
    assertThatThrownBy(
            () ->
                plan(
                    "FROM ${BASE_IMAGE} AS b\nRUN make\nFROM ${BASE_IMAGE}\nCOPY --from=b /x /x\n"))
        .hasMessageContaining("stage 'b' is built on ${BASE_IMAGE}");
  }

  @Test
  void addOfUrlsAndSeveralSourcesToAFileAreRejected() {
    assertThatThrownBy(() -> plan("FROM ${BASE_IMAGE}\nADD https://x.org/a.tgz /a\n"))
        .hasMessageContaining("ADD of a URL");
    assertThatThrownBy(() -> plan("FROM ${BASE_IMAGE}\nCOPY a b /dir\n"))
        .hasMessageContaining("the destination must be a directory ending in /");
    assertThatThrownBy(() -> plan("FROM ${BASE_IMAGE}\nCOPY <<EOF /a\nhello\nEOF\n"))
        .hasMessageContaining("heredocs");
  }

  @Test
  void escapeDirectiveChangesTheContinuationCharacter() {
    AppendPlan plan = plan("# escape=`\nFROM ${BASE_IMAGE}\nCOPY a `\n  /a\n");

    assertThat(plan.copies().get(0).destination()).isEqualTo("/a");
  }

  @Test
  void wordsExpandLikeDocker() {
    java.util.function.Function<String, Optional<String>> env =
        name -> Optional.ofNullable(Map.of("A", "x", "EMPTY", "").get(name));
    assertThat(ShellWords.expand("${A}-$A-${B:-d}-${EMPTY:-e}-${EMPTY-f}-${A:+y}", '\\', env))
        .isEqualTo("x-x-d-e--y");
    assertThat(ShellWords.expand("'$A' \"$A\" \\$A", '\\', env)).isEqualTo("$A x $A");
    assertThat(ShellWords.split("a=\"b c\" d='e f'", '\\')).containsExactly("a=\"b c\"", "d='e f'");
  }
}
