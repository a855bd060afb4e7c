package io.imagefleet.docker;

import java.util.Locale;

/** Byte counts as people read them. */
public final class Units {
  public static final long GIB = 1L << 30;

  private Units() {}

  public static String gib(long bytes) {
    return String.format(Locale.ROOT, "%.1f GiB", bytes / (double) GIB);
  }

  /** GiB with two decimals, no unit: what GITHUB_OUTPUT carries. */
  public static String gibNumber(long bytes) {
    return String.format(Locale.ROOT, "%.2f", bytes / (double) GIB);
  }

  public static String human(long bytes) {
    if (bytes < 1024) {
      return bytes + " B";
    }
    if (bytes < 1024 * 1024) {
      return String.format(Locale.ROOT, "%.1f KiB", bytes / 1024.0);
    }
    if (bytes < GIB) {
      return String.format(Locale.ROOT, "%.1f MiB", bytes / (1024.0 * 1024));
    }
    return gib(bytes);
  }
}
