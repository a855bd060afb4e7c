package io.imagefleet.preflight;

import java.util.Optional;

/** One thing preflight measured, or tried to: {@code space} is empty when it could not. */
public record Measurement(String label, String path, Optional<DiskSpace> space, String problem) {

  static Measurement of(String label, DiskSpace space) {
    return new Measurement(label, space.path(), Optional.of(space), null);
  }

  static Measurement failed(String label, String path, String problem) {
    return new Measurement(label, path, Optional.empty(), problem);
  }

  public boolean measured() {
    return space.isPresent();
  }
}
