package io.imagefleet.fleet;

import io.imagefleet.preflight.CachePruner;
import io.imagefleet.preflight.DiskProbe;
import java.util.Optional;

/**
 * What a build run builds with: the image builder, and (when there is a daemon to ask) the disk
 * probe and cache pruner for the checks between batches, and the health check of what it needs.
 */
public record BuildTools(
    ImageBuilder builder, Optional<DiskProbe> probe, Optional<CachePruner> pruner, Health health) {}
