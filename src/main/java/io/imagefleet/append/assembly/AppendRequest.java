package io.imagefleet.append.assembly;

import io.imagefleet.append.dockerfile.AppendPlan;
import io.imagefleet.append.layer.AgentLayer;
import io.imagefleet.registry.ImageReference;
import java.time.Instant;
import java.util.Optional;

/**
 * One image to assemble: {@code baseImage} as the dataset names it ({@code name[:tag]} or {@code
 * name@sha256:…}), the {@code target} to push (its tag included), the run's plan and layer (empty
 * when the stage copies nothing), and the {@code created} time for the config and history.
 */
public record AppendRequest(
    String baseImage,
    ImageReference target,
    AppendPlan plan,
    Optional<AgentLayer> layer,
    Instant created) {}
