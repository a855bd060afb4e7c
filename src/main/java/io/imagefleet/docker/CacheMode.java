package io.imagefleet.docker;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/** BuildKit cache export: none, registry cache (min or max), or inline in the image. */
public enum CacheMode {
  OFF,
  MIN,
  MAX,
  INLINE;

  public String id() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }

  public static Optional<CacheMode> byId(String id) {
    return Arrays.stream(values()).filter(m -> m.id().equals(id)).findFirst();
  }

  public static List<String> ids() {
    return Arrays.stream(values()).map(CacheMode::id).toList();
  }

  @Override
  public String toString() {
    return id();
  }
}
