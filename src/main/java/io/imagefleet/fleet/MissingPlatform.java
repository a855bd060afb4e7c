package io.imagefleet.fleet;

import io.imagefleet.ImagefleetException;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * {@code --missing-platform}: what an image of a multi-platform run does when its base lacks one of
 * the platforms.
 */
public enum MissingPlatform {
  /** The index goes without it; the summary and the report list it. */
  SKIP,
  /** The image fails. */
  FAIL;

  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The value by its id; exit 2 naming the option and the values for another. */
  public static MissingPlatform of(String id) {
    return Arrays.stream(values())
        .filter(v -> v.id().equals(id))
        .findFirst()
        .orElseThrow(
            () ->
                ImagefleetException.invalidInput(
                    "--missing-platform must be "
                        + Arrays.stream(values())
                            .map(MissingPlatform::id)
                            .collect(Collectors.joining(" or "))
                        + ", got '"
                        + id
                        + "'"));
  }
}
