package io.imagefleet.append;

import java.nio.file.Path;

/**
 * The layer append adds to every image: a gzip-compressed tar on local disk, its {@code digest}
 * (sha256 of the compressed bytes, what the registry stores), {@code diffId} (sha256 of the tar,
 * what the config lists) and compressed {@code size}.
 */
public record AgentLayer(Path file, String digest, String diffId, long size) {}
