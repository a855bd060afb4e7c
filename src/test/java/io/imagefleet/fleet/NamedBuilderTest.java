package io.imagefleet.fleet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.imagefleet.InvalidInput;
import io.imagefleet.PeerFailure;
import io.imagefleet.docker.BuildxCli;
import io.imagefleet.docker.CacheMode;
import io.imagefleet.docker.DockerDaemon;
import io.imagefleet.registry.ImageReference;
import io.imagefleet.registry.Platform;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** --buildx-builder against the recording fake docker CLI (there is no buildx binary here). */
class NamedBuilderTest {
  private static final String FAKE =
      Path.of("src/test/resources/fake-docker/docker").toAbsolutePath().toString();
  private static final String BUILDERS =
      "rb=remote@tcp://10.0.0.9:1234 k8s=kubernetes@kubernetes:///buildkit"
          + " dc=docker-container@unix:///var/run/docker.sock"
          + " far=docker-container@ssh://ci@10.0.0.7 dk=docker@default";

  @TempDir Path dir;

  @Test
  void aMissingBuilderExitsTwoNamingItAndTheFix() {
    assertThatThrownBy(() -> check("nope", Map.of(), CacheMode.OFF))
        .isInstanceOf(InvalidInput.class)
        .hasMessage(
            "--buildx-builder nope: no such buildx builder (ERROR: no builder \"nope\" found);"
                + " docker buildx ls lists the builders, docker buildx create --name nope"
                + " --driver remote tcp://HOST:1234 (or docker/setup-buildx-action) makes one")
        .isInstanceOf(InvalidInput.class);
  }

  @Test
  void withoutBuildxTheBuilderIsMissingToo() {
    assertThatThrownBy(() -> check("rb", Map.of("FAKE_BUILDX_VERSION", ""), CacheMode.OFF))
        .hasMessageStartingWith(
            "--buildx-builder rb: no such buildx builder ('" + FAKE + " buildx' is not available)")
        .isInstanceOf(InvalidInput.class);
  }

  @Test
  void aBuilderThatDoesNotBootExitsFour() {
    assertThatThrownBy(() -> check("rb", Map.of("FAKE_BUILDX_DOWN", "rb"), CacheMode.OFF))
        .hasMessage(
            "--buildx-builder rb: the builder does not answer (ERROR: failed to dial gRPC: dial"
                + " tcp 10.0.0.9:1234: connect: connection refused); start it or check its"
                + " endpoint: docker buildx inspect --bootstrap rb")
        .isInstanceOf(PeerFailure.class);
    assertThat(calls())
        .containsSubsequence(
            "buildx version", "buildx inspect rb", "buildx inspect --bootstrap rb");
  }

  @Test
  void registryCacheOnADockerDriverBuilderExitsTwo() {
    assertThatThrownBy(() -> check("dk", Map.of(), CacheMode.MAX))
        .hasMessage(
            "--cache-mode max exports registry cache, which builder dk's docker driver can't; use"
                + " --cache-mode off or inline, or a builder of another driver")
        .isInstanceOf(InvalidInput.class);
  }

  @Test
  void severalPlatformsOnADockerDriverBuilderExitTwoAndGoToOthersAsOneList() {
    List<Platform> two = List.of(Platform.LINUX_AMD64, Platform.parse("linux/arm64"));

    assertThatThrownBy(
            () -> NamedBuilder.check(cli(Map.of()), "dk", Optional.empty(), CacheMode.OFF, two))
        .isInstanceOf(InvalidInput.class)
        .hasMessage(
            "--platform with several platforms needs a builder that builds them; builder dk's"
                + " docker driver builds one: use a docker-container, remote or kubernetes"
                + " builder, or --builder append");
    NamedBuilder remote =
        NamedBuilder.check(cli(Map.of()), "rb", Optional.empty(), CacheMode.OFF, two);
    assertThat(
            new BuildxImageBuilder(FAKE, env(Map.of()), remote, Attestations.NONE, two)
                .command(job(CacheMode.OFF, true), dir.resolve("m.json")))
        .containsSubsequence("--builder", "rb")
        .containsSubsequence("--platform", "linux/amd64,linux/arm64");
  }

  @ParameterizedTest
  @CsvSource({
    "rb, '', false",
    "k8s, '', false",
    "far, '', false",
    "far, ssh://ci@10.0.0.7, true",
    "dc, '', true",
    "dk, '', true"
  })
  void onlyADockerOrContainerDriverOnThisDaemonBuildsHere(
      String name, String dockerHost, boolean onDaemon) {
    NamedBuilder named =
        NamedBuilder.check(
            cli(Map.of()),
            name,
            Optional.of(dockerHost).filter(h -> !h.isEmpty()),
            CacheMode.OFF,
            List.of(Platform.LINUX_AMD64));

    assertThat(named.onDaemon()).isEqualTo(onDaemon);
  }

  @Test
  void autoAndBuildxBuildOnTheNamedBuilderWithItsPlatformAndPush() throws Exception {
    for (String id : List.of("auto", "buildx")) {
      BuilderContext run = run("rb", Map.of(), CacheMode.MAX, Attestations.NONE, noDaemon());
      BuilderTypes.Choice choice = BuilderTypes.choose(id, run);
      BuildxImageBuilder builder = ((BuildxType) BuilderTypes.BUILDX).builder(run);

      assertThat(choice.type().id()).isEqualTo("buildx");
      assertThat(builder.command(job(CacheMode.MAX, true), dir.resolve("m.json")))
          .containsExactly(
              FAKE,
              "buildx",
              "build",
              "--builder",
              "rb",
              "--progress",
              "plain",
              "--provenance=false",
              "--sbom=false",
              "--file",
              dir.resolve("Dockerfile").toString(),
              "--tag",
              "ghcr.io/org/agent:abc1234-base",
              "--platform",
              "linux/amd64",
              "--build-arg",
              "BASE_IMAGE=reg/base:1",
              "--network",
              "none",
              "--cache-from",
              "type=registry,ref=ghcr.io/org/agent:buildcache",
              "--cache-to",
              "type=registry,ref=ghcr.io/org/agent:buildcache,mode=max",
              "--metadata-file",
              dir.resolve("m.json").toString(),
              "--push",
              dir.toString());
    }
    assertThat(calls()).noneMatch(c -> c.startsWith("buildx create"));
  }

  @Test
  void theEngineIsNeverChosenForANamedBuilder() throws Exception {
    BuilderContext run = run("rb", Map.of(), CacheMode.OFF, Attestations.NONE, noDaemon());
    BuilderContext noBuildx =
        run("rb", Map.of("FAKE_BUILDX_VERSION", ""), CacheMode.OFF, Attestations.NONE, noDaemon());

    assertThatThrownBy(() -> BuilderTypes.choose("engine", run))
        .hasMessage(
            "--builder engine builds through the daemon's Engine API, not on a buildx builder;"
                + " drop --buildx-builder or use --builder buildx")
        .isInstanceOf(InvalidInput.class);
    assertThatThrownBy(() -> BuilderTypes.choose("auto", noBuildx))
        .as("auto without buildx falls through to the engine, which refuses a named builder")
        .hasMessageStartingWith("--builder engine builds through the daemon's Engine API");
  }

  @Test
  void aRemoteBuilderBuildsThroughTheCliConnectsNoDaemonAndItsDiskGoesUnmeasured()
      throws Exception {
    BuilderContext run = run("rb", Map.of(), CacheMode.OFF, Attestations.PROVENANCE, noDaemon());

    BuildTools tools = BuilderTypes.BUILDX.prepare(run, null);
    Optional<String> digest =
        tools
            .builder()
            .build(job(CacheMode.OFF, true), dir.resolve("b.log"), Duration.ofSeconds(30));

    assertThat(digest).contains("sha256:" + "0".repeat(63) + "7");
    assertThat(calls())
        .filteredOn(c -> c.startsWith("buildx build"))
        .singleElement()
        .asString()
        .startsWith(
            "buildx build --builder rb --progress plain --provenance=true --sbom=false --file ")
        .contains(" --platform linux/amd64 ")
        .endsWith(" --push " + dir);
    assertThat(tools.probe()).isEmpty();
    assertThat(tools.pruner()).isEmpty();
    assertThat(tools.builder().unmeasuredDisk()).contains("builder rb is remote, not measured");
    assertThat(err.toString())
        .isEqualTo(
            "imagefleet build: buildx builder rb (driver remote, tcp://10.0.0.9:1234): builds"
                + " elsewhere; no free-disk checks or pruning here\n");
  }

  @Test
  void aRunForAPlatformTheBuilderCantRunCommandsForExitsTwoNamingIt() throws Exception {
    List<Platform> two = List.of(Platform.LINUX_AMD64, Platform.parse("linux/arm64"));
    BuilderContext amd = run("rb", Map.of(), CacheMode.OFF, Attestations.NONE, noDaemon(), two);

    BuildInputs inputs = new BuildInputs(List.of(), java.util.Set.of(), null, "abc", false);
    assertThatThrownBy(() -> BuilderTypes.BUILDX.prepare(amd, inputs))
        .isInstanceOf(InvalidInput.class)
        .hasMessage(
            "--platform linux/arm64: the Dockerfile (line 3: RUN pip install agent) runs commands,"
                + " and buildx builder rb can't run linux/arm64 commands (it runs linux/amd64,"
                + " linux/amd64/v2, linux/386); add emulation (docker/setup-qemu-action, or docker"
                + " run --privileged --rm tonistiigi/binfmt --install arm64), or build on a builder"
                + " with a linux/arm64 node (--buildx-builder NAME)");

    BuilderContext both =
        run(
            "rb",
            Map.of("FAKE_BUILDX_PLATFORMS", "linux/amd64*, linux/arm64"),
            CacheMode.OFF,
            Attestations.NONE,
            noDaemon(),
            two);
    assertThat(BuilderTypes.BUILDX.prepare(both, inputs).builder().buildxBuilder()).contains("rb");
  }

  @Test
  void aContainerBuilderOnThisDaemonKeepsTheFloorsAndPrunes() throws Exception {
    int[] connects = {0};
    BuilderContext run =
        run(
            "dc",
            Map.of(),
            CacheMode.OFF,
            Attestations.NONE,
            () -> {
              connects[0]++;
              return daemonThatIsNeverCalled();
            });

    BuildTools tools = BuilderTypes.BUILDX.prepare(run, null);

    assertThat(connects[0]).isEqualTo(1);
    assertThat(tools.probe()).isPresent();
    assertThat(tools.pruner()).isPresent();
    assertThat(tools.builder().unmeasuredDisk()).isEmpty();
    assertThat(tools.builder().buildxBuilder()).contains("dc");
    assertThat(err.toString())
        .contains("builds on this Docker daemon; disk floors and prunes apply");
  }

  @Test
  void aRemoteBuilderThatStopsAnsweringStopsTheRunAsUnreachable() {
    NamedBuilder named = check("rb", Map.of(), CacheMode.OFF);
    ImageReference image = ImageReference.parse("ghcr.io/org/agent:abc1234-base");

    Health up = named.elsewhereTools(null, cli(Map.of())).health();
    Health down = named.elsewhereTools(null, cli(Map.of("FAKE_BUILDX_DOWN", "rb"))).health();

    assertThat(up.down(image)).isEmpty();
    assertThat(down.down(image)).contains("buildx builder rb at tcp://10.0.0.9:1234");
  }

  @Test
  void anEarlierStageIsBuiltOnTheNamedBuilderAndOnlyItsPathsAreWrittenOut() throws Exception {
    NamedBuilder named = check("rb", Map.of(), CacheMode.OFF);
    Path context = Files.createDirectories(dir.resolve("context"));
    Path dockerfile =
        Files.writeString(
            context.resolve("Dockerfile.stages"),
            "FROM busybox:1 AS builder\nRUN mkdir -p /opt/agent\n");
    Path root = Files.createDirectories(dir.resolve("root"));

    new BuildxStages(FAKE, env(Map.of()), named)
        .export(
            "builder",
            Platform.LINUX_AMD64,
            List.of("/opt/agent", "/usr/local/bin/my tool"),
            context,
            dockerfile,
            new LinkedHashMap<>(Map.of("SDK_COMMIT", "abc")),
            "none",
            root,
            dir.resolve("stages.log"),
            Duration.ofSeconds(30));

    assertThat(calls())
        .filteredOn(c -> c.startsWith("buildx build"))
        .singleElement()
        .asString()
        .startsWith(
            "buildx build --builder rb --progress plain --platform linux/amd64 --file "
                + context.resolve("Dockerfile.stages.export")
                + " --target imagefleet-export --build-arg SDK_COMMIT=abc --network none --output"
                + " type=tar,dest="
                + dir.resolve("stage-"))
        .endsWith(".tar " + context);
    try (var left = Files.list(dir)) {
      assertThat(left).noneMatch(p -> p.getFileName().toString().endsWith(".tar"));
    }
    assertThat(BuildxStages.exportStage("builder", List.of("/opt/agent", "/usr/local/bin/my tool")))
        .isEqualTo(
            "\nFROM scratch AS imagefleet-export\n"
                + "COPY --from=builder [\"/opt/agent\",\"/opt/agent\"]\n"
                + "COPY --from=builder [\"/usr/local/bin/my tool\",\"/usr/local/bin/my tool\"]\n");
    assertThat(root.resolve("opt/agent/from-buildx")).exists();
    assertThat(context.resolve("Dockerfile.stages.export")).doesNotExist();
    assertThat(Files.readString(dockerfile)).doesNotContain("imagefleet-export");
  }

  @Test
  void anExportThatWouldWriteThroughALinkIsRefusedAndNothingLandsOutside() throws Exception {
    NamedBuilder named = check("rb", Map.of(), CacheMode.OFF);
    Path context = Files.createDirectories(dir.resolve("context"));
    Path dockerfile =
        Files.writeString(context.resolve("Dockerfile.stages"), "FROM x AS builder\n");
    Path outside = Files.createDirectories(dir.resolve("outside"));
    Path evil = dir.resolve("evil.tar");
    try (var tar =
        new org.apache.commons.compress.archivers.tar.TarArchiveOutputStream(
            Files.newOutputStream(evil))) {
      var link =
          new org.apache.commons.compress.archivers.tar.TarArchiveEntry(
              "opt", org.apache.commons.compress.archivers.tar.TarConstants.LF_SYMLINK);
      link.setLinkName(outside.toString());
      tar.putArchiveEntry(link);
      tar.closeArchiveEntry();
      var file = new org.apache.commons.compress.archivers.tar.TarArchiveEntry("opt/agent");
      file.setSize(4);
      tar.putArchiveEntry(file);
      tar.write("evil".getBytes(java.nio.charset.StandardCharsets.UTF_8));
      tar.closeArchiveEntry();
    }
    Path root = Files.createDirectories(dir.resolve("root"));

    assertThatThrownBy(
            () ->
                new BuildxStages(FAKE, env(Map.of("FAKE_EXPORT_TAR", evil.toString())), named)
                    .export(
                        "builder",
                        Platform.LINUX_AMD64,
                        List.of("/opt/agent"),
                        context,
                        dockerfile,
                        Map.of(),
                        "none",
                        root,
                        dir.resolve("stages.log"),
                        Duration.ofSeconds(30)))
        .isInstanceOf(io.imagefleet.docker.StepFailure.class)
        .hasMessageStartingWith(
            "stage builder exported from buildx builder rb: tar entry opt/agent")
        .hasMessageContaining("symbolic link");
    try (var files = Files.list(outside)) {
      assertThat(files).isEmpty();
    }
  }

  private final java.io.StringWriter err = new java.io.StringWriter();

  private BuilderContext run(
      String name,
      Map<String, String> extra,
      CacheMode mode,
      Attestations attestations,
      java.util.function.Supplier<DockerDaemon> connect)
      throws Exception {
    return run(name, extra, mode, attestations, connect, List.of(Platform.LINUX_AMD64));
  }

  private BuilderContext run(
      String name,
      Map<String, String> extra,
      CacheMode mode,
      Attestations attestations,
      java.util.function.Supplier<DockerDaemon> connect,
      List<Platform> platforms)
      throws Exception {
    Path dockerfile =
        Files.writeString(
            dir.resolve("Dockerfile"),
            "ARG BASE_IMAGE\nFROM ${BASE_IMAGE}\nRUN pip install agent\n");
    BuildSettings settings =
        new BuildSettings(
            dockerfile,
            "",
            Map.of(),
            "none",
            true,
            mode,
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
    return new BuilderContext(
        settings,
        "abc",
        null,
        null,
        new BuilderContext.Docker(FAKE, env(extra), connect, Optional.empty(), "host"),
        new BuilderContext.Options(
            Platform.LINUX_AMD64,
            attestations,
            mode,
            dir.resolve("cache"),
            (base, p) -> base,
            Optional.of(name)),
        new java.io.PrintWriter(err, true));
  }

  private static java.util.function.Supplier<DockerDaemon> noDaemon() {
    return () -> {
      throw new AssertionError("a builder elsewhere connects no daemon");
    };
  }

  /** A daemon that fails the test if anything is asked of it. */
  private static DockerDaemon daemonThatIsNeverCalled() {
    return (DockerDaemon)
        java.lang.reflect.Proxy.newProxyInstance(
            DockerDaemon.class.getClassLoader(),
            new Class<?>[] {DockerDaemon.class},
            (proxy, method, args) -> {
              if (method.getName().equals("close")) {
                return null;
              }
              throw new AssertionError("asked the daemon: " + method.getName());
            });
  }

  private NamedBuilder check(String name, Map<String, String> extra, CacheMode mode) {
    return NamedBuilder.check(
        cli(extra), name, Optional.empty(), mode, List.of(Platform.LINUX_AMD64));
  }

  private BuildxCli cli(Map<String, String> extra) {
    return new BuildxCli(FAKE, env(extra), Duration.ofSeconds(30));
  }

  private Map<String, String> env(Map<String, String> extra) {
    Map<String, String> env = new HashMap<>();
    env.put("FAKE_DOCKER_LOG", dir.resolve("calls").toString());
    env.put("FAKE_BUILDX_VERSION", "v0.20.0");
    env.put("FAKE_BUILDX_BUILDERS", BUILDERS);
    env.putAll(extra);
    return env;
  }

  private List<String> calls() {
    try {
      return Files.readAllLines(dir.resolve("calls"));
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private ImageJob job(CacheMode mode, boolean push) {
    return new ImageJob(
        "org__repo-1",
        "reg/base:1",
        ImageReference.parse("ghcr.io/org/agent:abc1234-base"),
        dir,
        dir.resolve("Dockerfile"),
        "",
        new LinkedHashMap<>(Map.of("BASE_IMAGE", "reg/base:1")),
        "none",
        push,
        mode,
        List.of());
  }
}
