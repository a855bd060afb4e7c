package io.imagefleet.fleet;

import java.util.List;

/**
 * The platforms of one multi-platform image: those in its index, and those asked for that its base
 * lacked ({@code --missing-platform skip}).
 */
public record PlatformCoverage(List<String> platforms, List<String> missing) {
  public PlatformCoverage {
    platforms = List.copyOf(platforms);
    missing = List.copyOf(missing);
  }
}
