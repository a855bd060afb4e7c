package io.imagefleet.retain;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One manifest of the repository as retention sees it: an index names {@code children}; an image
 * manifest names its {@code blobs} (config and layers, digest to size). {@code created} is the
 * image config's, or for an index its newest child's; {@code base} the manifest digest its config's
 * {@code org.opencontainers.image.base.digest} label names (append and phased set it).
 */
public record ManifestNode(
    String digest,
    String mediaType,
    long size,
    List<String> children,
    Map<String, Long> blobs,
    Optional<Instant> created,
    Optional<String> base) {
  public ManifestNode {
    children = List.copyOf(children);
    blobs = Map.copyOf(blobs);
  }

  public ManifestNode(
      String digest,
      String mediaType,
      long size,
      List<String> children,
      Map<String, Long> blobs,
      Optional<Instant> created) {
    this(digest, mediaType, size, children, blobs, created, Optional.empty());
  }
}
