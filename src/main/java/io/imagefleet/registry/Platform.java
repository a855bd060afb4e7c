package io.imagefleet.registry;

import com.fasterxml.jackson.databind.JsonNode;
import io.imagefleet.ImagefleetException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * An OCI platform as {@code --platform} names it ({@code linux/amd64}, {@code linux/arm64/v8}).
 * Matching follows containerd's normalisation: arm64 means v8 and arm means v7 when no variant is
 * given; other architectures ignore a variant the request doesn't name.
 */
public record Platform(String os, String architecture, String variant) {
  public static final Platform LINUX_AMD64 = new Platform("linux", "amd64", "");

  public static Platform parse(String text) {
    String[] parts = text.strip().toLowerCase(Locale.ROOT).split("/");
    if (parts.length < 2 || parts.length > 3 || parts[0].isEmpty() || parts[1].isEmpty()) {
      throw ImagefleetException.invalidInput(
          "--platform " + text + " is not os/architecture[/variant], e.g. linux/amd64");
    }
    return new Platform(parts[0], parts[1], parts.length == 3 ? parts[2] : "");
  }

  /**
   * A comma-separated list of platforms ({@code linux/amd64,linux/arm64}); exit 2 naming the value
   * for an empty one or a platform named twice.
   */
  public static List<Platform> parseList(String text) {
    List<Platform> platforms = new ArrayList<>();
    for (String part : text.split(",", -1)) {
      if (part.isBlank()) {
        throw ImagefleetException.invalidInput(
            "--platform "
                + text
                + " has an empty entry; list platforms as linux/amd64,linux/arm64");
      }
      Platform platform = parse(part);
      if (platforms.stream().anyMatch(p -> p.same(platform))) {
        throw ImagefleetException.invalidInput(
            "--platform " + text + " names " + platform + " twice; name each platform once");
      }
      platforms.add(platform);
    }
    return List.copyOf(platforms);
  }

  /** Whether both name one platform (arm64 is arm64/v8). */
  public boolean same(Platform other) {
    return os.equals(other.os)
        && architecture.equals(other.architecture)
        && normalVariant(architecture, variant)
            .equals(normalVariant(other.architecture, other.variant));
  }

  /** Whether an index entry with these fields is this platform. */
  public boolean matches(String os, String architecture, String variant) {
    return this.os.equals(os)
        && this.architecture.equals(architecture)
        && (this.variant.isEmpty() && !architecture.startsWith("arm")
            || normalVariant(this.architecture, this.variant)
                .equals(normalVariant(architecture, variant)));
  }

  /** The first entry of an index's {@code manifests} that is this platform; empty when none is. */
  public Optional<JsonNode> childOf(JsonNode index) {
    for (JsonNode child : index.path("manifests")) {
      JsonNode p = child.path("platform");
      if (matches(
          p.path("os").asText(), p.path("architecture").asText(), p.path("variant").asText())) {
        return Optional.of(child);
      }
    }
    return Optional.empty();
  }

  private static String normalVariant(String architecture, String variant) {
    if (!variant.isEmpty()) {
      return variant;
    }
    return switch (architecture) {
      case "arm64" -> "v8";
      case "arm" -> "v7";
      default -> "";
    };
  }

  @Override
  public String toString() {
    return os + "/" + architecture + (variant.isEmpty() ? "" : "/" + variant);
  }
}
