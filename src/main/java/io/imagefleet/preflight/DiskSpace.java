package io.imagefleet.preflight;

/**
 * Free and total bytes of the filesystem holding {@code path}, and how they were measured: {@code
 * direct} (this process) or through a helper container. {@code filesystem} is the device or mount
 * source, as df names it.
 */
public record DiskSpace(
    String path, String filesystem, long freeBytes, long totalBytes, String method) {}
