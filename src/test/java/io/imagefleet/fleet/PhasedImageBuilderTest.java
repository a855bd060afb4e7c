package io.imagefleet.fleet;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.head;
import static com.github.tomakehurst.wiremock.client.WireMock.stubFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.junit5.WireMockRuntimeInfo;
import com.github.tomakehurst.wiremock.junit5.WireMockTest;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import io.imagefleet.append.dockerfile.PhasedPlan;
import io.imagefleet.docker.CacheMode;
import io.imagefleet.docker.StepFailure;
import io.imagefleet.registry.Credentials;
import io.imagefleet.registry.ImageReference;
import io.imagefleet.registry.InsecureRegistries;
import io.imagefleet.registry.Platform;
import io.imagefleet.registry.RegistryClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The env image per base: looked up, built once however many images wait for it, rebuilt when gone.
 */
@WireMockTest
class PhasedImageBuilderTest {
  private static final String BASE_DIGEST = "sha256:" + "b".repeat(64);
  private static final String DOCKERFILE =
      "ARG BASE_IMAGE\nFROM ${BASE_IMAGE}\nRUN echo env\nARG SDIST\nCOPY ${SDIST} /opt/agent/\n";

  @TempDir Path dir;

  /** Counts env builds; each waits on {@code gate}. */
  static final class EnvBuilds implements ImageBuilder {
    final AtomicInteger builds = new AtomicInteger();
    final CountDownLatch gate = new CountDownLatch(1);

    @Override
    public Optional<String> build(ImageJob job, Path log, Duration timeout) {
      builds.incrementAndGet();
      try {
        gate.await(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      assertThat(job.image().tag()).startsWith("env-");
      assertThat(job.dockerfile().getFileName().toString())
          .isEqualTo(PhasedImageBuilder.ENV_DOCKERFILE);
      return Optional.of("sha256:" + "e".repeat(64));
    }

    @Override
    public BuilderType type() {
      return BuilderTypes.ENGINE;
    }

    @Override
    public String name() {
      return "engine";
    }
  }

  /** Appends, failing its first {@code failures} calls as a vanished env image would. */
  static final class Tail implements ImageBuilder {
    final AtomicInteger calls = new AtomicInteger();
    final int failures;

    Tail(int failures) {
      this.failures = failures;
    }

    @Override
    public Optional<String> build(ImageJob job, Path log, Duration timeout) {
      assertThat(job.baseImage()).contains(":env-");
      if (calls.incrementAndGet() <= failures) {
        throw new StepFailure("pull manifest of " + job.baseImage() + " failed: HTTP 404", false);
      }
      return Optional.of("sha256:" + "f".repeat(64));
    }

    @Override
    public BuilderType type() {
      return BuilderTypes.APPEND;
    }

    @Override
    public String name() {
      return "append";
    }
  }

  @Test
  void imagesOnOneBaseWaitForOneEnvBuild(WireMockRuntimeInfo wm) throws Exception {
    stubFor(head(urlPathEqualTo("/v2/ns/bases/manifests/one")).willReturn(digest(BASE_DIGEST)));
    stubFor(
        head(urlPathMatching("/v2/ns/agent/manifests/env-.*"))
            .inScenario("env")
            .whenScenarioStateIs(Scenario.STARTED)
            .willReturn(aResponse().withStatus(404)));
    EnvBuilds daemon = new EnvBuilds();
    PhasedImageBuilder builder = builder(wm, daemon, new Tail(0));

    CompletableFuture<Optional<String>> first =
        CompletableFuture.supplyAsync(() -> builder.build(job(wm, "i-1"), log(), minute()));
    CompletableFuture<Optional<String>> second =
        CompletableFuture.supplyAsync(() -> builder.build(job(wm, "i-2"), log(), minute()));
    while (daemon.builds.get() == 0) {
      Thread.sleep(10);
    }
    stubFor(
        head(urlPathMatching("/v2/ns/agent/manifests/env-.*"))
            .inScenario("env")
            .whenScenarioStateIs(Scenario.STARTED)
            .willReturn(digest("sha256:" + "e".repeat(64))));
    daemon.gate.countDown();

    assertThat(first.get(10, TimeUnit.SECONDS)).isPresent();
    assertThat(second.get(10, TimeUnit.SECONDS)).isPresent();
    assertThat(daemon.builds.get()).isEqualTo(1);
    assertThat(builder.envImage("i-1")).isEqualTo(builder.envImage("i-2"));
    assertThat(builder.summaryName()).isEqualTo("phased (1 env image(s) built, 1 reused)");
  }

  @Test
  void anEnvImageGoneBeforeTheAppendIsBuiltAgain(WireMockRuntimeInfo wm) {
    stubFor(head(urlPathEqualTo("/v2/ns/bases/manifests/one")).willReturn(digest(BASE_DIGEST)));
    // present at the check, gone when the append fails, present again after the rebuild
    stubFor(
        head(urlPathMatching("/v2/ns/agent/manifests/env-.*"))
            .inScenario("gone")
            .whenScenarioStateIs(Scenario.STARTED)
            .willReturn(digest("sha256:" + "e".repeat(64)))
            .willSetStateTo("gone"));
    stubFor(
        head(urlPathMatching("/v2/ns/agent/manifests/env-.*"))
            .inScenario("gone")
            .whenScenarioStateIs("gone")
            .willReturn(aResponse().withStatus(404)));
    EnvBuilds daemon = new EnvBuilds();
    daemon.gate.countDown();
    Tail tail = new Tail(1);

    Optional<String> digest = builder(wm, daemon, tail).build(job(wm, "i-1"), log(), minute());

    assertThat(digest).contains("sha256:" + "f".repeat(64));
    assertThat(daemon.builds.get()).isEqualTo(1);
    assertThat(tail.calls.get()).isEqualTo(2);
  }

  /**
   * The tail's index as PlatformIndex makes it: a platform is in it when its base (here: the env
   * image, or the base itself for a platform the base lacked) resolves, and missing (skip) when
   * not; an env image that answers 404 counts as a base that doesn't exist, since each platform's
   * base is named apart.
   */
  static final class IndexTail implements ImageBuilder {
    final AtomicInteger calls = new AtomicInteger();
    final java.util.function.IntFunction<PlatformCoverage> coverage;
    final Map<Platform, String> bases;
    volatile PlatformCoverage last;

    IndexTail(Map<Platform, String> bases, java.util.function.IntFunction<PlatformCoverage> c) {
      this.bases = bases;
      this.coverage = c;
    }

    @Override
    public Optional<String> build(ImageJob job, Path log, Duration timeout) {
      last = coverage.apply(calls.incrementAndGet());
      return Optional.of("sha256:" + "f".repeat(64));
    }

    @Override
    public Optional<PlatformCoverage> platforms(String instance) {
      return Optional.ofNullable(last);
    }

    @Override
    public BuilderType type() {
      return BuilderTypes.APPEND;
    }

    @Override
    public String name() {
      return "append";
    }
  }

  private static final Platform ARM64 = Platform.parse("linux/arm64");

  /** The base's index, with an amd64 child and, when {@code arm64}, an arm64 one. */
  private static void stubBaseIndex(boolean arm64) {
    String index =
        "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\","
            + "\"manifests\":[{\"digest\":\"sha256:"
            + "1".repeat(64)
            + "\",\"platform\":{\"os\":\"linux\",\"architecture\":\"amd64\"}}"
            + (arm64
                ? ",{\"digest\":\"sha256:"
                    + "2".repeat(64)
                    + "\",\"platform\":{\"os\":\"linux\",\"architecture\":\"arm64\"}}"
                : "")
            + "]}";
    stubFor(
        get(urlPathEqualTo("/v2/ns/bases/manifests/one"))
            .willReturn(
                aResponse()
                    .withStatus(200)
                    .withHeader("Content-Type", "application/vnd.oci.image.index.v1+json")
                    .withBody(index)));
  }

  @Test
  void anEnvImageGoneBeforeTheIndexIsBuiltAgainNotLeftOutOfIt(WireMockRuntimeInfo wm) {
    stubBaseIndex(true);
    stubFor(
        head(urlPathMatching("/v2/ns/agent/manifests/env-.*"))
            .willReturn(digest("sha256:" + "e".repeat(64))));
    EnvBuilds daemon = new EnvBuilds();
    daemon.gate.countDown();
    Map<Platform, String> bases = new java.util.concurrent.ConcurrentHashMap<>();
    IndexTail tail =
        new IndexTail(
            bases,
            call -> {
              if (call > 1) {
                return new PlatformCoverage(List.of("linux/amd64", "linux/arm64"), List.of());
              }
              // the env images went (a retention run) before the index was put: it went without
              // arm64, as a base that doesn't exist
              stubFor(
                  head(urlPathMatching("/v2/ns/agent/manifests/env-.*"))
                      .willReturn(aResponse().withStatus(404)));
              return new PlatformCoverage(List.of("linux/amd64"), List.of("linux/arm64"));
            });

    Optional<String> digest =
        several(wm, daemon, tail, bases).build(job(wm, "i-1"), log(), minute());

    assertThat(digest).isPresent();
    assertThat(tail.calls.get()).isEqualTo(2);
    assertThat(daemon.builds.get()).isPositive();
  }

  @Test
  void anIndexWithoutAPlatformWhoseEnvImageIsThereFailsTheImage(WireMockRuntimeInfo wm) {
    stubBaseIndex(true);
    stubFor(
        head(urlPathMatching("/v2/ns/agent/manifests/env-.*"))
            .willReturn(digest("sha256:" + "e".repeat(64))));
    EnvBuilds daemon = new EnvBuilds();
    daemon.gate.countDown();
    // the arm64 env image is there but the index went without arm64 (it is another platform's)
    IndexTail tail =
        new IndexTail(
            new java.util.concurrent.ConcurrentHashMap<>(),
            call -> new PlatformCoverage(List.of("linux/amd64"), List.of("linux/arm64")));

    assertThatThrownBy(
            () ->
                several(wm, daemon, tail, new java.util.concurrent.ConcurrentHashMap<>())
                    .build(job(wm, "i-1"), log(), minute()))
        .isInstanceOf(StepFailure.class)
        .hasMessageContaining("went without the platform of env image ")
        .hasMessageContaining(":env-");
    assertThat(tail.calls.get()).isEqualTo(1);
  }

  @Test
  void aPlatformTheBaseLackedIsNeverAppendedToTheBaseItself(WireMockRuntimeInfo wm) {
    stubBaseIndex(false);
    stubFor(
        head(urlPathMatching("/v2/ns/agent/manifests/env-.*"))
            .willReturn(digest("sha256:" + "e".repeat(64))));
    EnvBuilds daemon = new EnvBuilds();
    daemon.gate.countDown();
    Map<Platform, String> bases = new java.util.concurrent.ConcurrentHashMap<>();
    // the base has arm64 by the time the index is put (pushed mid-run; pins are kept for the run)
    IndexTail tail =
        new IndexTail(
            bases, call -> new PlatformCoverage(List.of("linux/amd64", "linux/arm64"), List.of()));

    assertThatThrownBy(
            () -> several(wm, daemon, tail, bases).build(job(wm, "i-1"), log(), minute()))
        .isInstanceOf(StepFailure.class)
        .hasMessageContaining("took [linux/arm64] from ")
        .hasMessageContaining("built for another platform");
    // arm64 goes to the index on amd64's env image (which lacks it), never on the base itself
    assertThat(bases.get(ARM64)).isEqualTo(bases.get(Platform.LINUX_AMD64)).contains(":env-");
  }

  private PhasedImageBuilder several(
      WireMockRuntimeInfo wm, ImageBuilder daemon, IndexTail tail, Map<Platform, String> bases) {
    return builder(wm, daemon, tail)
        .forPlatforms(
            new PhasedImageBuilder.Platforms(
                List.of(Platform.LINUX_AMD64, ARM64),
                MissingPlatform.SKIP,
                (base, p) -> base,
                given -> {
                  bases.putAll(given);
                  return tail;
                }));
  }

  private PhasedImageBuilder builder(
      WireMockRuntimeInfo wm, ImageBuilder daemon, ImageBuilder tail) {
    RegistryClient registry =
        new RegistryClient(Credentials.none(), InsecureRegistries.none(), 1, Duration.ofMillis(1));
    PhasedPlan plan =
        PhasedPlan.split(DOCKERFILE, Optional.empty(), Map.of("SDIST", "agent.tar.gz"));
    return new PhasedImageBuilder(
        daemon,
        tail,
        new PhasedImageBuilder.EnvKeys(
            plan,
            Map.of("SDIST", "agent.tar.gz"),
            "sha256:" + "a".repeat(64),
            "linux/amd64",
            registry),
        registry);
  }

  private ImageJob job(WireMockRuntimeInfo wm, String instance) {
    String host = "127.0.0.1:" + wm.getHttpPort();
    return new ImageJob(
        instance,
        host + "/ns/bases:one",
        ImageReference.parse(host + "/ns/agent:0123456-bases-one-" + instance),
        dir,
        dir.resolve("Dockerfile"),
        "",
        Map.of("SDIST", "agent.tar.gz"),
        "none",
        true,
        CacheMode.OFF,
        List.of());
  }

  private Path log() {
    return dir.resolve("build.log");
  }

  private static Duration minute() {
    return Duration.ofMinutes(1);
  }

  private static com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder digest(
      String digest) {
    return aResponse().withStatus(200).withHeader("Docker-Content-Digest", digest);
  }
}
