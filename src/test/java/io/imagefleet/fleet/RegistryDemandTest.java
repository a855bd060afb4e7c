package io.imagefleet.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import io.imagefleet.Benchmark;
import io.imagefleet.registry.ImageReference;
import io.imagefleet.registry.Platform;
import io.imagefleet.registry.RegistryBudgets;
import io.imagefleet.registry.RegistryRate;
import java.util.List;
import java.util.Optional;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** What --dry-run says a plan asks of each registry, and how long the budgets make it. */
class RegistryDemandTest {
  private static final List<Platform> ONE = List.of(Platform.LINUX_AMD64);
  private static final List<Platform> TWO = Platform.parseList("linux/amd64,linux/arm64");
  private static final List<PlannedImage> PLAN =
      IntStream.range(0, 500)
          .mapToObj(
              i ->
                  new PlannedImage(
                      "i-" + i,
                      "swebench/sweb.eval.x86_64.i-" + i + ":latest",
                      ImageReference.parse("ghcr.io/org/agent:abc-i-" + i)))
          .toList();

  @Test
  void appendReadsEachBasesManifestAndConfigAndDockerHubsBudgetMakesThatHours() {
    RegistryDemand demand = demand(PLAN, PLAN, BuilderTypes.APPEND, ONE);

    // a HEAD, a config upload and a manifest PUT per image at the target
    assertThat(demand.lines(new RegistryBudgets()))
        .containsExactly(
            "registry docker.io: 1000 requests, 500 manifest GETs; 500 base manifests from"
                + " docker.io at 100/6h ≈ 30 h; mirror them once: imagefleet mirror --to REPO, then build"
                + " --base-mirror REPO",
            "registry ghcr.io: 1500 requests, 0 manifest GETs at 1500/min ≈ 60 s");
  }

  @Test
  void theEngineMakesAPullPerDistinctBaseAndSkippedImagesNeedNoBase() {
    List<PlannedImage> twoOnOneBase =
        List.of(
            new PlannedImage("a", "python:3.11", ImageReference.parse("127.0.0.1:5000/o/a:1")),
            new PlannedImage("b", "python:3.11", ImageReference.parse("127.0.0.1:5000/o/a:2")),
            new PlannedImage("c", "quay.io/x/y:1", ImageReference.parse("127.0.0.1:5000/o/a:3")));
    RegistryDemand demand =
        demand(twoOnOneBase, twoOnOneBase.subList(0, 2), BuilderTypes.ENGINE, ONE);

    assertThat(
            demand.lines(
                new RegistryBudgets()
                    .configure(List.of(RegistryRate.parse("127.0.0.1:5000=6/min")))))
        .containsExactly(
            "registry 127.0.0.1:5000: 3 requests, 0 manifest GETs at 6/min ≈ 30 s",
            "registry docker.io: 1 requests, 1 manifest GETs; 1 base manifests from docker.io at"
                + " 100/6h ≈ 4 min");
  }

  @Test
  void twoPlatformsFromOneIndexBaseReadTheIndexAndAChildPerPlatformAndPutAnIndexPerImage() {
    RegistryDemand demand = demand(PLAN, PLAN, BuilderTypes.APPEND, TWO);

    // per image and platform: the index, the child and its config read; a config and a manifest
    // put; then one index put and the HEAD: 500 x 3 x 2 reads, 500 x (2 x 2 + 1 + 1) at ghcr.io
    assertThat(demand.lines(new RegistryBudgets()))
        .containsExactly(
            "registry docker.io: 3000 requests, 2000 manifest GETs; 2000 base manifests from"
                + " docker.io at 100/6h ≈ 120 h; mirror them once: imagefleet mirror --to REPO,"
                + " then build --base-mirror REPO",
            "registry ghcr.io: 3000 requests, 0 manifest GETs at 1500/min ≈ 2 min");
  }

  @Test
  void twoPlatformsFromArchNamedBasesReadOneBasePerPlatformEachWhereItLives() {
    // given {arch} bases: x86_64 on Docker Hub, arm64 mirrored to quay.io by the template
    List<PlannedImage> plan =
        IntStream.range(0, 100)
            .mapToObj(
                i ->
                    new PlannedImage(
                        "i-" + i,
                        "{arch}/sweb.eval.{arch}.i-" + i + ":latest",
                        ImageReference.parse("ghcr.io/org/agent:abc-i-" + i)))
            .toList();
    RegistryDemand demand =
        RegistryDemand.of(
            plan,
            plan,
            new BuilderTypes.Choice(BuilderTypes.APPEND, Optional.empty()),
            TWO,
            (base, platform) ->
                base.replace("{arch}/", platform.architecture().equals("arm64") ? "quay.io/a/" : "")
                    .replace("{arch}", BaseImageRule.arch(platform)));

    // then each platform's base: its manifest (one GET, 404 when absent) and config, at its own
    // registry; at ghcr.io the HEAD, two puts per platform and the index
    assertThat(demand.hosts())
        .containsExactly(
            new RegistryDemand.Host("docker.io", 200, 100),
            new RegistryDemand.Host("ghcr.io", 600, 0),
            new RegistryDemand.Host("quay.io", 200, 100));
  }

  @Test
  void buildxPullsAMultiPlatformBaseOnceAndEachPlatformsImage() {
    List<PlannedImage> twoOnOneBase =
        List.of(
            new PlannedImage("a", "python:3.11", ImageReference.parse("ghcr.io/o/a:1")),
            new PlannedImage("b", "python:3.11", ImageReference.parse("ghcr.io/o/a:2")));
    RegistryDemand demand = demand(twoOnOneBase, twoOnOneBase, BuilderTypes.BUILDX, TWO);

    // the index and a child per platform, once for the run; the HEADs at the target
    assertThat(demand.hosts())
        .containsExactly(
            new RegistryDemand.Host("docker.io", 3, 3), new RegistryDemand.Host("ghcr.io", 2, 0));
  }

  @Test
  void phasedOnTwoPlatformsPinsAndPullsEachPlatformsBaseOnceAndAppendsPerPlatform() {
    List<PlannedImage> twoOnOneBase =
        List.of(
            new PlannedImage("a", "python:3.11", ImageReference.parse("ghcr.io/o/a:1")),
            new PlannedImage("b", "python:3.11", ImageReference.parse("ghcr.io/o/a:2")));
    RegistryDemand demand = demand(twoOnOneBase, twoOnOneBase, BuilderTypes.PHASED, TWO);

    // at ghcr.io per image: the HEAD, then per platform the env image's HEAD, manifest and config
    // and two puts, then the index; at docker.io per platform the pin's GET and the env's pull
    assertThat(demand.hosts())
        .containsExactly(
            new RegistryDemand.Host("docker.io", 4, 4), new RegistryDemand.Host("ghcr.io", 24, 4));
  }

  /** The estimate with each platform's base named as build names it ({@code {arch}} filled in). */
  private static RegistryDemand demand(
      List<PlannedImage> checked,
      List<PlannedImage> toBuild,
      BuilderType builder,
      List<Platform> platforms) {
    BaseImageRule rule =
        new BaseImageRule(Benchmark.CUSTOM, Optional.empty(), Optional.empty(), platforms);
    return RegistryDemand.of(
        checked,
        toBuild,
        new BuilderTypes.Choice(builder, Optional.empty()),
        platforms,
        rule::platformBase);
  }
}
