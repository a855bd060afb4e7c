package io.imagefleet.fleet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.imagefleet.InvalidInput;
import io.imagefleet.append.dockerfile.AppendPlan;
import io.imagefleet.docker.BuildxCli;
import io.imagefleet.docker.CacheMode;
import io.imagefleet.docker.DockerDaemon;
import io.imagefleet.registry.Credentials;
import io.imagefleet.registry.InsecureRegistries;
import io.imagefleet.registry.Platform;
import io.imagefleet.registry.RegistryTransport;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Append's earlier stages for several {@code --platform}s on a buildx builder (the recording fake
 * docker CLI; {@code FAKE_BUILDX_PLATFORMS} is what its nodes say they run): a stage bound to a
 * platform is built once per platform and kept under a key per platform; a stage that runs commands
 * for a platform the builder can't run is refused before anything is built.
 */
class PlatformStagesTest {
  private static final String FAKE =
      Path.of("src/test/resources/fake-docker/docker").toAbsolutePath().toString();
  private static final List<Platform> BOTH =
      List.of(Platform.LINUX_AMD64, Platform.parse("linux/arm64"));
  private static final String RUNS =
      """
      ARG BASE_IMAGE
      FROM scratch AS tools
      RUN ["/make-tools"]
      FROM ${BASE_IMAGE}
      ARG SDIST
      COPY --from=tools /opt/tools /opt/tools
      COPY ${SDIST} /opt/agent/
      """;
  private static final String COPIES_FROM_AN_IMAGE =
      """
      ARG BASE_IMAGE
      FROM 127.0.0.1:5000/ns/tools:1 AS tools
      FROM ${BASE_IMAGE}
      ARG SDIST
      COPY --from=tools /bin/busybox /opt/agent/busybox
      COPY ${SDIST} /opt/agent/
      """;
  private static final String CONTEXT_ONLY =
      "ARG BASE_IMAGE\nFROM ${BASE_IMAGE}\nARG SDIST\nCOPY ${SDIST} /opt/agent/\n";

  @TempDir Path dir;
  private final StringWriter err = new StringWriter();

  @Test
  void aStageThatRunsCommandsIsBuiltOnTheBuilderOncePerPlatformUnderItsOwnKey() throws Exception {
    BuildSettings settings = settings(RUNS, BOTH);
    Path sdist = Files.writeString(dir.resolve("agent-0.1.tar.gz"), "sdist");

    builder(settings, sdist);

    assertThat(calls())
        .filteredOn(c -> c.startsWith("buildx build"))
        .hasSize(2)
        .satisfiesExactly(
            amd64 -> assertThat(amd64).contains(" --platform linux/amd64 --file "),
            arm64 -> assertThat(arm64).contains(" --platform linux/arm64 --file "));
    assertThat(err.toString())
        .contains("built stage(s) tools for linux/amd64 once on buildx builder rb")
        .contains("built stage(s) tools for linux/arm64 once on buildx builder rb")
        .contains("for the linux/amd64 image of every index")
        .contains("for the linux/arm64 image of every index");

    // a second run finds each platform's export under its own key and builds nothing
    Files.delete(dir.resolve("calls"));
    err.getBuffer().setLength(0);
    builder(settings, sdist);
    assertThat(Files.exists(dir.resolve("calls")) ? calls() : List.<String>of())
        .noneMatch(c -> c.startsWith("buildx build"));
    assertThat(err.toString())
        .contains("stage 'tools' for linux/amd64 reused from the cache")
        .contains("stage 'tools' for linux/arm64 reused from the cache");
  }

  @Test
  void onePlatformBuildsTheStageOnceAsBeforeAndAContextOnlyLayerIsShared() throws Exception {
    Path sdist = Files.writeString(dir.resolve("agent-0.1.tar.gz"), "sdist");

    builder(settings(RUNS, List.of(Platform.LINUX_AMD64)), sdist);
    assertThat(calls())
        .filteredOn(c -> c.startsWith("buildx build"))
        .singleElement()
        .asString()
        .contains(" --platform linux/amd64 --file ");
    assertThat(err.toString())
        .contains("built stage(s) tools once on buildx builder rb")
        .contains("built once for every image");

    err.getBuffer().setLength(0);
    builder(settings(CONTEXT_ONLY, BOTH), sdist);
    assertThat(err.toString()).contains("built once for every image").doesNotContain("linux/arm64");
  }

  @Test
  void aStageThatRunsCommandsForAPlatformTheBuilderCantRunIsRefusedNamingIt() throws Exception {
    BuilderContext amd64Only = run(settings(RUNS, BOTH), "linux/amd64, linux/amd64/v2, linux/386");

    assertThatThrownBy(() -> BuilderTypes.choose("append", amd64Only))
        .isInstanceOf(InvalidInput.class)
        .hasMessage(
            "--platform linux/arm64: stage 'tools' runs commands, and buildx builder rb can't run"
                + " linux/arm64 commands (it runs linux/amd64, linux/amd64/v2, linux/386); add"
                + " emulation (docker/setup-qemu-action, or docker run --privileged --rm"
                + " tonistiigi/binfmt --install arm64), or build on a builder with a linux/arm64"
                + " node (--buildx-builder NAME)");
    assertThat(calls()).noneMatch(c -> c.startsWith("buildx build"));
  }

  @Test
  void aBuilderThatRunsEveryPlatformOrAStageThatOnlyCopiesIsAccepted() throws Exception {
    BuilderContext withArm =
        run(settings(RUNS, BOTH), "linux/amd64, linux/arm64, linux/arm/v7, linux/386");
    assertThat(BuilderTypes.choose("append", withArm).type().id()).isEqualTo("append");

    BuilderContext amd64Only = run(settings(COPIES_FROM_AN_IMAGE, BOTH), "linux/amd64");
    assertThat(BuilderTypes.choose("append", amd64Only).type().id()).isEqualTo("append");
    assertThat(
            AppendType.platformBoundStage(
                plan(amd64Only.settings()), amd64Only.settings(), amd64Only))
        .isEmpty();
  }

  private void builder(BuildSettings settings, Path sdist) {
    NamedBuilder named =
        NamedBuilder.check(
            new BuildxCli(FAKE, env(Map.of()), Duration.ofSeconds(30)),
            "rb",
            Optional.empty(),
            CacheMode.OFF,
            settings.platforms());
    new AppendSetup(settings, new PrintWriter(err, true), dir.resolve("cache"))
        .onBuildx(Optional.of(named), FAKE, env(Map.of()))
        .builder(
            plan(settings),
            sdist,
            "abc",
            noDaemon(),
            new RegistryTransport(
                Credentials.none(), InsecureRegistries.none(), 1, Duration.ofMillis(10)),
            settings.platforms().get(0));
  }

  private static AppendPlan plan(BuildSettings settings) {
    return AppendSetup.plan(settings, "agent-0.1.tar.gz", "abc");
  }

  private List<String> calls() throws Exception {
    return Files.readAllLines(dir.resolve("calls"));
  }

  private BuilderContext run(BuildSettings settings, String builderPlatforms) {
    return new BuilderContext(
        settings,
        "abc",
        null,
        null,
        new BuilderContext.Docker(
            FAKE,
            env(Map.of("FAKE_BUILDX_PLATFORMS", builderPlatforms)),
            noDaemon(),
            Optional.empty(),
            "host"),
        new BuilderContext.Options(
            settings.platforms().get(0),
            Attestations.NONE,
            CacheMode.OFF,
            dir.resolve("cache"),
            (base, p) -> base,
            Optional.of("rb")),
        new PrintWriter(err, true));
  }

  private static Supplier<DockerDaemon> noDaemon() {
    return () -> {
      throw new AssertionError("a builder elsewhere connects no daemon");
    };
  }

  private Map<String, String> env(Map<String, String> extra) {
    Map<String, String> env = new HashMap<>();
    env.put("FAKE_DOCKER_LOG", dir.resolve("calls").toString());
    env.put("FAKE_BUILDX_VERSION", "v0.20.0");
    env.put("FAKE_BUILDX_BUILDERS", "rb=remote@tcp://10.0.0.9:1234");
    env.putAll(extra);
    return env;
  }

  private BuildSettings settings(String dockerfile, List<Platform> platforms) throws Exception {
    return new BuildSettings(
        Files.writeString(dir.resolve("Dockerfile"), dockerfile),
        "",
        Map.of(),
        "none",
        true,
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
        List.of(),
        platforms,
        MissingPlatform.SKIP);
  }
}
