package io.imagefleet.append.assembly;

import io.imagefleet.append.dockerfile.AppendPlan;
import io.imagefleet.append.layer.AgentLayer;
import io.imagefleet.registry.ImageReference;
import io.imagefleet.registry.Platform;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * One image to assemble: {@code baseImage} as the dataset names it ({@code name[:tag]} or {@code
 * name@sha256:…}), the {@code target} to push (its tag included), the run's plan and layer (empty
 * when the stage copies nothing), and the {@code created} time for the config and history. With
 * {@code platforms} (two or more), the tag gets an OCI image index with one manifest per platform,
 * each on its own base with its platform's layer; empty: one image manifest for the assembler's
 * platform, on {@code baseImage}, with {@code layer}.
 */
public record AppendRequest(
    String baseImage,
    ImageReference target,
    AppendPlan plan,
    Optional<AgentLayer> layer,
    Instant created,
    List<PlatformBase> platforms,
    boolean failOnMissing) {

  public AppendRequest {
    platforms = List.copyOf(platforms);
  }

  /** A single-platform image, as before there were indexes. */
  public AppendRequest(
      String baseImage,
      ImageReference target,
      AppendPlan plan,
      Optional<AgentLayer> layer,
      Instant created) {
    this(baseImage, target, plan, layer, created, List.of(), false);
  }

  /**
   * One platform of a multi-platform image, the base it is taken from and the agent layer it gets
   * (the same for every platform when the layer is made from the context alone; empty when the
   * stage copies nothing).
   */
  public record PlatformBase(Platform platform, String baseImage, Optional<AgentLayer> layer) {}
}
