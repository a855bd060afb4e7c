package io.imagefleet.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import io.imagefleet.registry.ImageReference;
import io.imagefleet.registry.RegistryBudgets;
import io.imagefleet.registry.RegistryRate;
import java.util.List;
import java.util.Optional;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** What --dry-run says a plan asks of each registry, and how long the budgets make it. */
class RegistryDemandTest {
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
    RegistryDemand demand =
        RegistryDemand.of(
            PLAN, PLAN, new BuilderTypes.Choice(BuilderTypes.APPEND, Optional.empty()));

    assertThat(demand.lines(new RegistryBudgets()))
        .containsExactly(
            "registry docker.io: 1000 requests, 500 manifest GETs; 500 base manifests from"
                + " docker.io at 100/6h ≈ 30 h; mirror them once: imagefleet mirror --to REPO, then build"
                + " --base-mirror REPO",
            "registry ghcr.io: 500 requests, 0 manifest GETs at 1500/min ≈ 20 s");
  }

  @Test
  void theEngineMakesAPullPerDistinctBaseAndSkippedImagesNeedNoBase() {
    List<PlannedImage> twoOnOneBase =
        List.of(
            new PlannedImage("a", "python:3.11", ImageReference.parse("127.0.0.1:5000/o/a:1")),
            new PlannedImage("b", "python:3.11", ImageReference.parse("127.0.0.1:5000/o/a:2")),
            new PlannedImage("c", "quay.io/x/y:1", ImageReference.parse("127.0.0.1:5000/o/a:3")));
    RegistryDemand demand =
        RegistryDemand.of(
            twoOnOneBase,
            twoOnOneBase.subList(0, 2),
            new BuilderTypes.Choice(BuilderTypes.ENGINE, Optional.empty()));

    assertThat(
            demand.lines(
                new RegistryBudgets()
                    .configure(List.of(RegistryRate.parse("127.0.0.1:5000=6/min")))))
        .containsExactly(
            "registry 127.0.0.1:5000: 3 requests, 0 manifest GETs at 6/min ≈ 30 s",
            "registry docker.io: 1 requests, 1 manifest GETs; 1 base manifests from docker.io at"
                + " 100/6h ≈ 4 min");
  }
}
