package io.imagefleet.fleet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.imagefleet.ImagefleetException;
import io.imagefleet.InvalidInput;
import io.imagefleet.docker.CacheMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Which builder --builder comes to, decided from the Dockerfile, the options and what each builder
 * can do; no Docker (the docker CLI here has no buildx).
 */
class BuilderTypesTest {
  private static final String COPY_ONLY =
      "ARG BASE_IMAGE\nFROM ${BASE_IMAGE}\nARG SDIST\nCOPY ${SDIST} /opt/agent/\n";
  private static final String WITH_RUN = COPY_ONLY + "RUN pip install /opt/agent/*\n";

  @TempDir Path dir;

  @Test
  void autoTakesAppendForACopyOnlyDockerfile() throws Exception {
    BuilderTypes.Choice choice =
        BuilderTypes.choose("auto", run(settings(COPY_ONLY, true, List.of())));

    assertThat(choice.type().id()).isEqualTo("append");
    assertThat(choice.passedOver()).isEmpty();
  }

  @Test
  void autoFallsBackNamingTheLineThatNeedsTheDaemon() throws Exception {
    BuilderTypes.Choice choice =
        BuilderTypes.choose("auto", run(settings(WITH_RUN, true, List.of())));

    assertThat(choice.type().id()).isEqualTo("engine");
    assertThat(choice.passedOver().orElseThrow())
        .startsWith("Dockerfile line 5 (RUN pip install /opt/agent/*): RUN can't be assembled");
  }

  @Test
  void autoNeverTakesAppendWithoutPushOrWithSecrets() throws Exception {
    assertThat(BuilderTypes.choose("auto", run(settings(COPY_ONLY, false, List.of()))))
        .isEqualTo(
            new BuilderTypes.Choice(BuilderTypes.ENGINE, Optional.of("--no-push builds locally")));
    BuilderTypes.Choice withSecret =
        BuilderTypes.choose(
            "auto",
            run(settings(COPY_ONLY, true, List.of("id=t,env=T")), Attestations.NONE, BUILDX_CLI));
    assertThat(withSecret.type().id()).isEqualTo("buildx");
    assertThat(withSecret.passedOver()).contains("--secret needs BuildKit");
    assertThatThrownBy(
            () ->
                BuilderTypes.choose("auto", run(settings(COPY_ONLY, true, List.of("id=t,env=T")))))
        .hasMessageStartingWith("--secret needs BuildKit, which the engine builder");
  }

  @Test
  void explicitAppendThatCantBeExitsTwo() throws Exception {
    assertThatThrownBy(
            () -> BuilderTypes.choose("append", run(settings(WITH_RUN, true, List.of()))))
        .isInstanceOf(ImagefleetException.class)
        .hasMessageContaining("RUN can't be assembled in a registry")
        .hasMessageEndingWith("use --builder engine or --builder buildx for this Dockerfile")
        .isInstanceOf(InvalidInput.class);
    assertThatThrownBy(
            () -> BuilderTypes.choose("append", run(settings(COPY_ONLY, false, List.of()))))
        .hasMessage(
            "--builder append assembles images in the registry; drop --no-push or use --builder"
                + " engine");
  }

  @Test
  void autoTakesPhasedWhenARunIsFollowedByLinesAppendCanAdd() throws Exception {
    BuilderTypes.Choice choice =
        BuilderTypes.choose("auto", run(settings(WITH_RUN + "ENV AGENT=1\n", true, List.of())));

    assertThat(choice.type().id()).isEqualTo("phased");
    assertThat(choice.passedOver().orElseThrow()).startsWith("Dockerfile line 5 (RUN pip install");
  }

  @Test
  void explicitPhasedOfACopyOnlyDockerfileExitsTwoPointingAtAppend() throws Exception {
    assertThatThrownBy(
            () -> BuilderTypes.choose("phased", run(settings(COPY_ONLY, true, List.of()))))
        .isInstanceOf(ImagefleetException.class)
        .hasMessageContaining("this stage needs no env image (nothing runs on the base)");
    assertThatThrownBy(
            () ->
                BuilderTypes.choose(
                    "phased", run(settings(WITH_RUN + "ENV A=1\n", false, List.of()))))
        .hasMessage(
            "--builder phased assembles images in the registry; drop --no-push or use --builder"
                + " engine");
  }

  @Test
  void theBundledDockerfileIsAppended() throws Exception {
    String bundled;
    try (var in = getClass().getResourceAsStream("/io/imagefleet/fleet/agent.Dockerfile")) {
      bundled = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    }

    BuilderTypes.Choice choice =
        BuilderTypes.choose("auto", run(settings(bundled, true, List.of())));

    assertThat(choice.type().id()).as(choice.passedOver().orElse("")).isEqualTo("append");
  }

  @Test
  void engineAndBuildxAreTakenAsAsked() throws Exception {
    assertThat(BuilderTypes.choose("engine", run(settings(COPY_ONLY, true, List.of()))))
        .isEqualTo(new BuilderTypes.Choice(BuilderTypes.ENGINE, Optional.empty()));
  }

  @Test
  void aBuilderNamedThatLacksACapabilityExitsTwoNamingTheFix() throws Exception {
    assertThatThrownBy(
            () ->
                BuilderTypes.choose(
                    "engine", run(settings(COPY_ONLY, true, List.of("id=t,env=T")))))
        .hasMessage(
            "--secret needs BuildKit, which the engine builder doesn't use; drop --secret or use"
                + " --builder buildx (docker/setup-buildx-action)");
    assertThatThrownBy(
            () ->
                BuilderTypes.choose(
                    "append", run(settings(COPY_ONLY, true, List.of()), Attestations.SBOM)))
        .hasMessage(
            "--attestations sbom needs buildx; the append builder pushes no attestations. Use"
                + " --builder buildx, or --attestations none");
    assertThatThrownBy(
            () -> BuilderTypes.choose("buildx", run(settings(COPY_ONLY, true, List.of()))))
        .hasMessageEndingWith(
            "buildx' is not available; install the buildx plugin or use --builder engine");
    assertThatThrownBy(
            () -> BuilderTypes.choose("kaniko", run(settings(COPY_ONLY, true, List.of()))))
        .hasMessage("--builder must be auto, append, phased, buildx or engine, got 'kaniko'");
  }

  @Test
  void autoWithAttestationsAndNoBuildxExitsTwoWithWhatWouldHelp() throws Exception {
    assertThatThrownBy(
            () ->
                BuilderTypes.choose(
                    "auto", run(settings(COPY_ONLY, true, List.of()), Attestations.PROVENANCE)))
        .hasMessageContaining("needs buildx; the engine builder pushes no attestations");
  }

  @Test
  void engineAskedForTwoPlatformsAndPhasedForOneItCantRunExitTwoAtOnce() throws Exception {
    BuildSettings two = twoPlatforms(settings(WITH_RUN + "ENV A=1\n", true, List.of()));

    assertThatThrownBy(() -> BuilderTypes.choose("engine", run(two)))
        .isInstanceOf(InvalidInput.class)
        .hasMessage(
            "--builder engine builds for one platform; use --builder append, phased or buildx for"
                + " --platform linux/amd64,linux/arm64");
    // phased builds an env image per platform, but this one runs commands: arm64 needs emulation
    org.junit.jupiter.api.Assumptions.assumeFalse(
        CommandPlatforms.engine(CommandPlatforms.BINFMT, AppendType.machineArchitecture())
            .runs(io.imagefleet.registry.Platform.parse("linux/arm64")));
    assertThatThrownBy(() -> BuilderTypes.choose("phased", run(two)))
        .isInstanceOf(InvalidInput.class)
        .hasMessageStartingWith(
            "--platform linux/arm64: the env stage (the Dockerfile up to line 5) runs commands,"
                + " and the Docker engine on this machine")
        .hasMessageContaining("can't run linux/arm64 commands");
    // auto: buildx when present, else the engine's exit 2
    assertThat(BuilderTypes.choose("auto", run(two, Attestations.NONE, BUILDX_CLI)).type().id())
        .isEqualTo("buildx");
    assertThatThrownBy(() -> BuilderTypes.choose("auto", run(two)))
        .hasMessageStartingWith("--builder engine builds for one platform");
    assertThat(
            BuilderTypes.choose("append", run(twoPlatforms(settings(COPY_ONLY, true, List.of())))))
        .extracting(c -> c.type().id())
        .isEqualTo("append");
  }

  @Test
  void aStageOnTheBuildPlatformRunsItsCommandsNativelyAndIsNotRefusedForAnother() throws Exception {
    // the cross-compiling form: the helper stage runs where the builder is, whatever the target
    String cross =
        "ARG BASE_IMAGE\nFROM --platform=$BUILDPLATFORM busybox AS tools\nRUN echo x > /tool\n"
            + "FROM ${BASE_IMAGE} AS env\nCOPY --from=tools /tool /tool\n"
            + "FROM env\nARG SDIST\nCOPY ${SDIST} /opt/agent/\n";
    BuildSettings two = twoPlatforms(settings(cross, true, List.of()));

    // buildx (BuildKit), whose builder here runs amd64 only
    assertThat(BuilderTypes.choose("phased", run(two, Attestations.NONE, BUILDX_CLI)).type().id())
        .isEqualTo("phased");
  }

  @Test
  void appendForTwoPlatformsBuildsAStageThatOnlyCopiesFromAnImagePerPlatform() throws Exception {
    // no command to run: the stage is built per platform without emulation (PlatformStagesTest
    // has the stages that run commands, on a builder that says what it runs)
    String staged =
        "ARG BASE_IMAGE\nFROM busybox AS tools\n"
            + "FROM ${BASE_IMAGE}\nCOPY --from=tools /bin/busybox /opt/agent/busybox\n";
    BuildSettings two = twoPlatforms(settings(staged, true, List.of()));

    assertThat(BuilderTypes.choose("append", run(two)).type().id()).isEqualTo("append");
    assertThat(BuilderTypes.choose("auto", run(two)).type().id()).isEqualTo("append");
  }

  private static BuildSettings twoPlatforms(BuildSettings s) {
    return new BuildSettings(
        s.dockerfile(),
        s.target(),
        s.buildArgs(),
        s.network(),
        s.push(),
        s.cacheMode(),
        s.workers(),
        s.batchSize(),
        s.imageTimeout(),
        s.deadline(),
        s.maxRetries(),
        s.retryBackoff(),
        s.diskFloor(),
        s.force(),
        s.maxFailures(),
        s.output(),
        s.secrets(),
        io.imagefleet.registry.Platform.parseList("linux/amd64,linux/arm64"),
        MissingPlatform.SKIP);
  }

  private BuilderContext run(BuildSettings settings) {
    return run(settings, Attestations.NONE);
  }

  /** The test tree's fake docker CLI, answering for buildx. */
  private static final Map<String, String> BUILDX_CLI = Map.of("FAKE_BUILDX_VERSION", "v0.20.0");

  private BuilderContext run(BuildSettings settings, Attestations attestations) {
    return run(settings, attestations, Map.of());
  }

  private BuilderContext run(
      BuildSettings settings, Attestations attestations, Map<String, String> buildx) {
    return new BuilderContext(
        settings,
        "abc",
        null,
        null,
        new BuilderContext.Docker(
            buildx.isEmpty()
                ? dir.resolve("no-docker").toString()
                : Path.of("src/test/resources/fake-docker/docker").toAbsolutePath().toString(),
            buildx,
            () -> {
              throw new AssertionError("choosing a builder connects no daemon");
            },
            Optional.empty(),
            "host"),
        new BuilderContext.Options(
            io.imagefleet.registry.Platform.parse("linux/amd64"),
            attestations,
            CacheMode.OFF,
            dir.resolve("cache"),
            (base, p) -> base,
            java.util.Optional.empty()),
        new java.io.PrintWriter(java.io.Writer.nullWriter()));
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
        new io.imagefleet.preflight.DiskFloor(0, 0),
        false,
        0,
        dir.resolve("out"),
        secrets,
        List.of(io.imagefleet.registry.Platform.LINUX_AMD64),
        MissingPlatform.SKIP);
  }
}
