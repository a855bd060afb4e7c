package io.imagefleet.preflight;

import io.imagefleet.docker.DockerDaemon;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Which image a helper container runs: the one given, else the image of the container imagefleet
 * runs in (the action's own), else the smallest local images.
 */
public record HelperImages(DockerDaemon daemon, Optional<String> given, String hostname) {
  private static final int CANDIDATES = 3;

  public List<String> candidates() {
    if (given.isPresent()) {
      return List.of(given.get());
    }
    Set<String> images = new LinkedHashSet<>();
    daemon.ownImage(hostname).ifPresent(images::add);
    daemon.localImages().stream().limit(CANDIDATES).forEach(images::add);
    return List.copyOf(images);
  }
}
