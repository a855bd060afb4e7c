package io.imagefleet.fleet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.imagefleet.ExitCode;
import io.imagefleet.ImagefleetException;
import io.imagefleet.docker.CacheMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which builder --builder comes to, decided from the Dockerfile and the options, no Docker. */
class BuildersTest {
  private static final String COPY_ONLY =
      "ARG BASE_IMAGE\nFROM ${BASE_IMAGE}\nARG SDIST\nCOPY ${SDIST} /opt/agent/\n";
  private static final String WITH_RUN = COPY_ONLY + "RUN pip install /opt/agent/*\n";

  @TempDir Path dir;

  @Test
  void autoTakesAppendForACopyOnlyDockerfile() throws Exception {
    Builders.Choice choice =
        Builders.decide(BuilderKind.AUTO, settings(COPY_ONLY, true, List.of()), "abc");

    assertThat(choice.append()).isTrue();
    assertThat(choice.notAppend()).isEmpty();
  }

  @Test
  void autoFallsBackNamingTheLineThatNeedsTheDaemon() throws Exception {
    Builders.Choice choice =
        Builders.decide(BuilderKind.AUTO, settings(WITH_RUN, true, List.of()), "abc");

    assertThat(choice.kind()).isEqualTo(BuilderKind.AUTO);
    assertThat(choice.notAppend().orElseThrow())
        .startsWith("Dockerfile line 5 (RUN pip install /opt/agent/*): RUN can't be assembled");
  }

  @Test
  void autoNeverTakesAppendWithoutPushOrWithSecrets() throws Exception {
    assertThat(Builders.decide(BuilderKind.AUTO, settings(COPY_ONLY, false, List.of()), "abc"))
        .isEqualTo(new Builders.Choice(BuilderKind.AUTO, Optional.of("--no-push builds locally")));
    assertThat(
            Builders.decide(
                    BuilderKind.AUTO, settings(COPY_ONLY, true, List.of("id=t,env=T")), "abc")
                .notAppend())
        .contains("--secret needs BuildKit");
  }

  @Test
  void explicitAppendThatCantBeExitsTwo() throws Exception {
    assertThatThrownBy(
            () -> Builders.decide(BuilderKind.APPEND, settings(WITH_RUN, true, List.of()), "a"))
        .isInstanceOf(ImagefleetException.class)
        .hasMessageContaining("RUN can't be assembled in a registry")
        .hasMessageEndingWith("use --builder engine or --builder buildx for this Dockerfile")
        .extracting(e -> ((ImagefleetException) e).exitCode())
        .isEqualTo(ExitCode.INVALID_INPUT);
    assertThatThrownBy(
            () -> Builders.decide(BuilderKind.APPEND, settings(COPY_ONLY, false, List.of()), "a"))
        .hasMessage(
            "--builder append assembles images in the registry; drop --no-push or use --builder"
                + " engine");
  }

  @Test
  void autoTakesPhasedWhenARunIsFollowedByLinesAppendCanAdd() throws Exception {
    Builders.Choice choice =
        Builders.decide(
            BuilderKind.AUTO, settings(WITH_RUN + "ENV AGENT=1\n", true, List.of()), "abc");

    assertThat(choice.phased()).isTrue();
    assertThat(choice.notAppend().orElseThrow()).startsWith("Dockerfile line 5 (RUN pip install");
  }

  @Test
  void explicitPhasedOfACopyOnlyDockerfileExitsTwoPointingAtAppend() throws Exception {
    assertThatThrownBy(
            () -> Builders.decide(BuilderKind.PHASED, settings(COPY_ONLY, true, List.of()), "a"))
        .isInstanceOf(ImagefleetException.class)
        .hasMessageContaining("this stage needs no env image (nothing runs on the base)");
    assertThatThrownBy(
            () ->
                Builders.decide(
                    BuilderKind.PHASED, settings(WITH_RUN + "ENV A=1\n", false, List.of()), "a"))
        .hasMessageStartingWith("--builder phased keeps env images in the registry");
  }

  @Test
  void theBundledDockerfileIsAppended() throws Exception {
    String bundled;
    try (var in = getClass().getResourceAsStream("/io/imagefleet/fleet/agent.Dockerfile")) {
      bundled = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    }

    Builders.Choice choice =
        Builders.decide(BuilderKind.AUTO, settings(bundled, true, List.of()), "abc");

    assertThat(choice.append()).as(choice.notAppend().orElse("")).isTrue();
  }

  @Test
  void engineAndBuildxAreTakenAsAsked() throws Exception {
    assertThat(Builders.decide(BuilderKind.ENGINE, settings(COPY_ONLY, true, List.of()), "abc"))
        .isEqualTo(new Builders.Choice(BuilderKind.ENGINE, Optional.empty()));
  }

  private BuildSettings settings(String dockerfile, boolean push, List<String> secrets)
      throws Exception {
    Path file = Files.writeString(dir.resolve("Dockerfile"), dockerfile);
    return new BuildSettings(
        file,
        "",
        Map.of(),
        "none",
        push,
        CacheMode.OFF,
        1,
        1,
        Duration.ofMinutes(1),
        Optional.empty(),
        0,
        Duration.ofSeconds(1),
        0,
        0,
        false,
        0,
        dir.resolve("out"),
        secrets);
  }
}
