package io.imagefleet.docker;

/** Bytes Docker uses, by kind, as the daemon's disk-usage endpoint reports them. */
public record DockerUsage(long images, long containers, long volumes, long buildCache) {}
