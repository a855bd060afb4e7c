package io.imagefleet.dataset;

import java.util.Optional;

/** One benchmark instance: its id and, when the dataset names one, its base image. */
public record Instance(String id, Optional<String> baseImage) {
  public Instance {
    if (id == null || id.isBlank()) {
      throw new IllegalArgumentException("instance id must not be blank");
    }
  }

  public static Instance of(String id) {
    return new Instance(id, Optional.empty());
  }
}
