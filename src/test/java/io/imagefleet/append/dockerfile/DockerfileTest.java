package io.imagefleet.append.dockerfile;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Which RUN of a Dockerfile runs for the target platform (and so may need emulation). */
class DockerfileTest {
  @Test
  void aRunInAStageOnTheBuildPlatformRunsNativelyAndIsNoTargetPlatformsRun() {
    String cross =
        """
        FROM --platform=$BUILDPLATFORM golang AS build
        RUN go build -o /app .
        FROM --platform=${BUILDPLATFORM} busybox AS more
        RUN echo more
        FROM alpine
        COPY --from=build /app /app
        """;
    assertThat(Dockerfile.firstRun(cross, true)).isEmpty();
    // the engine's builder knows no $BUILDPLATFORM: every RUN runs for the target there
    assertThat(Dockerfile.firstRun(cross, false))
        .hasValueSatisfying(run -> assertThat(run.line()).isEqualTo(2));
    assertThat(Dockerfile.firstRun(cross + "RUN apk add tmux\n", true))
        .hasValueSatisfying(run -> assertThat(run.line()).isEqualTo(7));
    assertThat(Dockerfile.firstRun("FROM --platform=linux/arm64 busybox\nRUN true\n", true))
        .isPresent();
  }
}
