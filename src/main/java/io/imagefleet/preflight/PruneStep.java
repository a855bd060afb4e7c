package io.imagefleet.preflight;

/** One prune step: what it removed, the bytes it reclaimed and how long it took. */
public record PruneStep(String name, long reclaimedBytes, double seconds, String detail) {}
