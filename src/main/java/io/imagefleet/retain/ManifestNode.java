package io.imagefleet.retain;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One manifest of the repository as retention sees it: an index names {@code children}; an image
 * manifest names its {@code blobs} (config and layers, digest to size). {@code created} is the
 * image config's, or for an index its newest child's.
 */
public record ManifestNode(
    String digest,
    String mediaType,
    long size,
    List<String> children,
    Map<String, Long> blobs,
    Optional<Instant> created) {
  public ManifestNode {
    children = List.copyOf(children);
    blobs = Map.copyOf(blobs);
  }

  public boolean isIndex() {
    return !children.isEmpty() || mediaType.contains("index") || mediaType.contains("list");
  }
}
