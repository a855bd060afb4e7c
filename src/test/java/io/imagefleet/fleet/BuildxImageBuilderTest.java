package io.imagefleet.fleet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.imagefleet.InvalidInput;
import io.imagefleet.docker.CacheMode;
import io.imagefleet.docker.StepFailure;
import io.imagefleet.registry.ImageReference;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The buildx path against a recording fake docker CLI (there is no buildx binary here). */
class BuildxImageBuilderTest {
  private static final String FAKE =
      Path.of("src/test/resources/fake-docker/docker").toAbsolutePath().toString();

  @TempDir Path dir;

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "off|",
        "min|--cache-from type=registry,ref=ghcr.io/org/agent:buildcache --cache-to type=registry,ref=ghcr.io/org/agent:buildcache,mode=min",
        "max|--cache-from type=registry,ref=ghcr.io/org/agent:buildcache --cache-to type=registry,ref=ghcr.io/org/agent:buildcache,mode=max",
        "inline|--build-arg BUILDKIT_INLINE_CACHE=1 --cache-from type=registry,ref=ghcr.io/org/agent:abc1234-base",
      })
  void cacheFlagsFollowTheCacheMode(String mode, String flags) {
    ImageJob job = job(CacheMode.byId(mode).orElseThrow(), true);

    String command =
        String.join(
            " ",
            new BuildxImageBuilder("docker", Map.of(), java.util.Optional.empty())
                .command(job, dir.resolve("meta.json")));

    assertThat(command)
        .isEqualTo(
            "docker buildx build --progress plain --provenance=false --sbom=false --file "
                + dir.resolve("Dockerfile")
                + " --tag ghcr.io/org/agent:abc1234-base"
                + " --target agent --build-arg BASE_IMAGE=reg/base:1 --build-arg SDIST=agent-0.1.tar.gz --network none"
                + (flags == null ? "" : " " + flags)
                + " --metadata-file "
                + dir.resolve("meta.json")
                + " --push "
                + dir);
  }

  @Test
  void noAttestationsArePushedByDefault() {
    List<String> command =
        new BuildxImageBuilder("docker", Map.of(), java.util.Optional.empty())
            .command(job(CacheMode.OFF, true), dir.resolve("m.json"));

    assertThat(command).contains("--provenance=false", "--sbom=false");
  }

  @ParameterizedTest
  @CsvSource({
    "provenance, --provenance=true --sbom=false",
    "sbom, --provenance=false --sbom=true",
    "both, --provenance=true --sbom=true",
    "none, --provenance=false --sbom=false"
  })
  void attestationsAreOptInAndReachTheCli(String kind, String flags) throws Exception {
    Path log = dir.resolve("calls-" + kind);
    Map<String, String> env =
        Map.of("FAKE_DOCKER_LOG", log.toString(), "FAKE_BUILDX_VERSION", "v0.20.0");
    ImageBuilder builder = BUILDX.builder(run(env, CacheMode.OFF, Attestations.of(kind)));

    builder.build(job(CacheMode.OFF, true), dir.resolve(kind + ".log"), Duration.ofSeconds(30));

    assertThat(Files.readAllLines(log))
        .filteredOn(line -> line.startsWith("buildx build"))
        .singleElement()
        .asString()
        .startsWith("buildx build --progress plain " + flags + " --file ");
  }

  @Test
  void theEngineBuilderRefusesAttestationsNamingTheOption() {
    assertThatThrownBy(
            () -> BuilderTypes.choose("engine", run(Map.of(), CacheMode.OFF, Attestations.SBOM)))
        .isInstanceOf(io.imagefleet.ImagefleetException.class)
        .hasMessage(
            "--attestations sbom needs buildx; the engine builder pushes no attestations."
                + " Use --builder buildx, or --attestations none")
        .isInstanceOf(InvalidInput.class);
  }

  @Test
  void secretsGoAsBuildKitSecretMountsNeverAsBuildArgs() {
    List<String> command =
        new BuildxImageBuilder("docker", Map.of(), java.util.Optional.empty())
            .command(
                job(CacheMode.OFF, true, List.of("id=hf,env=HF_TOKEN", "id=npmrc,src=/r/.npmrc")),
                dir.resolve("m.json"));

    assertThat(String.join(" ", command))
        .contains("--secret id=hf,env=HF_TOKEN --secret id=npmrc,src=/r/.npmrc")
        .doesNotContain("HF_TOKEN=");
  }

  @Test
  void withoutPushNothingIsLoadedOrPushed() {
    List<String> command =
        new BuildxImageBuilder("docker", Map.of(), java.util.Optional.empty())
            .command(job(CacheMode.OFF, false), dir.resolve("m.json"));

    assertThat(String.join(" ", command))
        .endsWith("--output type=cacheonly " + dir)
        .doesNotContain("--push");
  }

  @Test
  void buildsThroughTheCliAndReadsTheDigestFromTheMetadataFile() throws Exception {
    Path log = dir.resolve("calls");
    Path buildLog = dir.resolve("build.log");

    var digest =
        new BuildxImageBuilder(
                FAKE,
                Map.of("FAKE_DOCKER_LOG", log.toString(), "FAKE_BUILDX_VERSION", "v0.20.0"),
                java.util.Optional.empty())
            .build(job(CacheMode.MAX, true), buildLog, Duration.ofSeconds(30));

    assertThat(digest).contains("sha256:" + "0".repeat(63) + "7");
    assertThat(Files.readString(log))
        .startsWith("buildx build --progress plain --provenance=false --sbom=false --file ")
        .contains("mode=max")
        .contains("--push");
    assertThat(Files.readString(buildLog)).contains("#9 pushing manifest done");
  }

  @Test
  void twoPlatformsArePassedToBuildxAsOneList() throws Exception {
    Path log = dir.resolve("calls-platforms");
    ImageBuilder builder =
        BUILDX.builder(
            run(
                PlatformSettings.of("linux/amd64,linux/arm64"),
                Map.of(
                    "FAKE_DOCKER_LOG",
                    log.toString(),
                    "FAKE_BUILDX_VERSION",
                    "v0.20.0",
                    "FAKE_BUILDX_DRIVER",
                    "docker"),
                CacheMode.OFF,
                Attestations.NONE));

    builder.build(job(CacheMode.OFF, true), dir.resolve("build.log"), Duration.ofSeconds(30));

    // the docker driver builds one platform: imagefleet's docker-container builder is made and used
    assertThat(Files.readAllLines(log))
        .contains("buildx create --name imagefleet --driver docker-container");
    assertThat(Files.readString(log))
        .contains("buildx build --builder imagefleet ")
        .contains(" --platform linux/amd64,linux/arm64 ");
    // one platform: no --platform, as before
    assertThat(
            String.join(
                " ",
                BUILDX
                    .builder(run(Map.of(), CacheMode.OFF, Attestations.NONE))
                    .command(job(CacheMode.OFF, true), dir.resolve("m.json"))))
        .doesNotContain("--platform");
  }

  @Test
  void aFailedOrHungBuildIsAStepFailure() {
    Map<String, String> failing = Map.of("FAKE_BUILDX_VERSION", "v0.20.0", "FAKE_BUILD_EXIT", "1");
    Map<String, String> hanging =
        Map.of("FAKE_BUILDX_VERSION", "v0.20.0", "FAKE_BUILD_SLEEP", "30");

    assertThatThrownBy(
            () ->
                new BuildxImageBuilder(FAKE, failing, java.util.Optional.empty())
                    .build(job(CacheMode.OFF, true), dir.resolve("a.log"), Duration.ofSeconds(30)))
        .isInstanceOf(StepFailure.class)
        .hasMessageStartingWith("buildx build exited 1: ERROR: failed to solve")
        .matches(e -> !((StepFailure) e).timedOut());
    long start = System.nanoTime();
    assertThatThrownBy(
            () ->
                new BuildxImageBuilder(FAKE, hanging, java.util.Optional.empty())
                    .build(job(CacheMode.OFF, true), dir.resolve("b.log"), Duration.ofSeconds(1)))
        .hasMessage("buildx build timed out after 1 s and was killed")
        .matches(e -> ((StepFailure) e).timedOut());
    assertThat((System.nanoTime() - start) / 1e9).isLessThan(10);
  }

  @Test
  void buildxIsTakenOnlyWhenTheCliHasIt() {
    assertThat(
            BUILDX.refuses(
                run(Map.of("FAKE_BUILDX_VERSION", "v0.20.0"), CacheMode.OFF, Attestations.NONE)))
        .isEmpty();
    assertThat(BUILDX.refuses(run(Map.of(), CacheMode.OFF, Attestations.NONE)).orElseThrow())
        .extracting(BuilderType.Refusal::message)
        .isEqualTo(
            "--builder buildx: '"
                + FAKE
                + " buildx' is not available; install the buildx plugin or use --builder engine");
  }

  @ParameterizedTest
  @CsvSource({
    "docker, max, true",
    "docker, min, true",
    "docker, inline, false",
    "docker, off, false",
    "docker-container, max, false"
  })
  void registryCacheOnTheDockerDriverGetsAContainerBuilder(
      String driver, String mode, boolean ownBuilder) throws Exception {
    Path log = dir.resolve("calls-" + driver + "-" + mode);
    Map<String, String> env =
        Map.of(
            "FAKE_DOCKER_LOG",
            log.toString(),
            "FAKE_BUILDX_VERSION",
            "v0.20.0",
            "FAKE_BUILDX_DRIVER",
            driver);

    BuildxImageBuilder builder =
        BUILDX.builder(run(env, CacheMode.byId(mode).orElseThrow(), Attestations.NONE));
    BuildxImageBuilder again =
        BUILDX.builder(run(env, CacheMode.byId(mode).orElseThrow(), Attestations.NONE));

    String command =
        String.join(
            " ",
            builder.command(job(CacheMode.byId(mode).orElseThrow(), true), dir.resolve("m.json")));
    List<String> calls = Files.exists(log) ? Files.readAllLines(log) : List.of();
    if (ownBuilder) {
      assertThat(command)
          .startsWith(
              "docker buildx build --builder imagefleet --progress plain --provenance=false --sbom=false "
                  .replace("docker", FAKE));
      assertThat(calls)
          .filteredOn(c -> c.startsWith("buildx create"))
          .containsExactly("buildx create --name imagefleet --driver docker-container");
      assertThat(String.join(" ", again.command(job(CacheMode.MAX, true), dir.resolve("m.json"))))
          .contains("--builder imagefleet");
    } else {
      assertThat(command).doesNotContain("--builder");
      assertThat(calls).noneMatch(c -> c.startsWith("buildx create"));
    }
  }

  @Test
  void onlyRegistryAndBuildKitHiccupsAreTransient() {
    assertThat(
            TransientFailures.isTransient(
                "received unexpected HTTP status: 503 Service Unavailable"))
        .isTrue();
    assertThat(
            TransientFailures.isTransient(
                "failed to solve: rpc error: frontend grpc server closed unexpectedly"))
        .isTrue();
    assertThat(TransientFailures.isTransient("read tcp 10.0.0.1:443: connection reset by peer"))
        .isTrue();
    assertThat(TransientFailures.isTransient("toomanyrequests: Too Many Requests")).isTrue();
    assertThat(
            TransientFailures.isTransient(
                "push r/a:t failed: toomanyrequests: You have reached your pull rate limit"))
        .as("the daemon's wording of a 429, found by the chaos run")
        .isTrue();
    assertThat(
            TransientFailures.isTransient("push failed: Premature end of chunk coded message body"))
        .isTrue();
    assertThat(
            TransientFailures.isTransient(
                "The command '/bin/sh -c make' returned a non-zero code: 2"))
        .isFalse();
    assertThat(
            TransientFailures.isTransient(
                "dd if=/dev/zero count=500 failed: returned a non-zero code: 1"))
        .isFalse();
    assertThat(TransientFailures.isTransient("COPY failed: file not found in build context"))
        .isFalse();
  }

  private ImageJob job(CacheMode mode, boolean push) {
    return job(mode, push, List.of());
  }

  private ImageJob job(CacheMode mode, boolean push, List<String> secrets) {
    return new ImageJob(
        "org__repo-1",
        "reg/base:1",
        ImageReference.parse("ghcr.io/org/agent:abc1234-base"),
        dir,
        dir.resolve("Dockerfile"),
        "agent",
        new java.util.LinkedHashMap<>(Map.of("BASE_IMAGE", "reg/base:1")) {
          {
            put("SDIST", "agent-0.1.tar.gz");
          }
        },
        "none",
        push,
        mode,
        secrets);
  }

  private static final BuildxType BUILDX = (BuildxType) BuilderTypes.BUILDX;

  /** A run on the fake CLI; choosing and making a buildx builder connects no daemon. */
  private static BuilderContext run(
      Map<String, String> env, CacheMode cacheMode, Attestations attestations) {
    return run(PlatformSettings.of("linux/amd64"), env, cacheMode, attestations);
  }

  private static BuilderContext run(
      BuildSettings settings,
      Map<String, String> env,
      CacheMode cacheMode,
      Attestations attestations) {
    return new BuilderContext(
        settings,
        "abc",
        null,
        null,
        new BuilderContext.Docker(
            FAKE,
            env,
            () -> {
              throw new AssertionError("no daemon here");
            },
            java.util.Optional.empty(),
            "host"),
        new BuilderContext.Options(
            io.imagefleet.registry.Platform.parse("linux/amd64"),
            attestations,
            cacheMode,
            java.nio.file.Path.of("cache"),
            (base, p) -> base,
            java.util.Optional.empty()),
        new java.io.PrintWriter(java.io.Writer.nullWriter()));
  }
}
