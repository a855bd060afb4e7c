package io.imagefleet.dataset;

import java.util.Optional;

/** One benchmark instance: its id and, when the dataset names one, its base image. */
public record Instance(String id, Optional<String> baseImage) {
  /** Longest id accepted; the longest in SWE-Bench-like datasets is well under 100. */
  static final int MAX_ID = 200;

  public Instance {
    problem(id)
        .ifPresent(
            p -> {
              throw new IllegalArgumentException("instance id " + p);
            });
  }

  public static Instance of(String id) {
    return new Instance(id, Optional.empty());
  }

  /**
   * What makes {@code id} unusable, if anything. Ids are data: {@code /} and the like are fine
   * (file names are derived through {@link io.imagefleet.SafeFiles#fileName}), but an empty id,
   * {@code .} or {@code ..}, control characters and line breaks, or an overlong id are not.
   */
  public static Optional<String> problem(String id) {
    if (id == null || id.isBlank()) {
      return Optional.of("is empty");
    }
    if (id.equals(".") || id.equals("..")) {
      return Optional.of("'" + id + "' is not allowed");
    }
    if (id.length() > MAX_ID) {
      return Optional.of("is " + id.length() + " characters long (at most " + MAX_ID + ")");
    }
    for (int i = 0; i < id.length(); i++) {
      char c = id.charAt(i);
      int type = Character.getType(c);
      if (Character.isISOControl(c)
          || type == Character.LINE_SEPARATOR
          || type == Character.PARAGRAPH_SEPARATOR
          || type == Character.FORMAT) {
        return Optional.of(
            String.format("contains the control character U+%04X at position %d", (int) c, i + 1));
      }
    }
    return Optional.empty();
  }
}
