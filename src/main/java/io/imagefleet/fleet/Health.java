package io.imagefleet.fleet;

import io.imagefleet.registry.ImageReference;
import java.util.Optional;

/**
 * Asked after an image fails: is the environment still there? A dead daemon or registry stops the
 * run (exit 4) instead of failing every image that follows.
 */
public interface Health {
  /** What stopped answering (e.g. {@code Docker daemon at unix:///var/run/docker.sock}), if any. */
  Optional<String> down(ImageReference image);

  /** Nothing to check: every failure is the image's own. */
  Health NONE = image -> Optional.empty();
}
