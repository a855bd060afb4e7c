package io.imagefleet.fleet;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The builders {@code --builder} names. What a kind can do is asked of the kind, never of its name:
 * {@link Builders} decides auto from these answers.
 */
public enum BuilderKind {
  /** Append when the Dockerfile qualifies, else phased, else buildx when present, else engine. */
  AUTO("auto"),
  /** Every image assembled in the registry: the base's blobs mounted, the agent layer appended. */
  APPEND("append"),
  /** An env image per base built through the daemon, reused by key; the rest appended. */
  PHASED("phased"),
  /** {@code docker buildx build} per image. */
  BUILDX("buildx"),
  /** The Docker Engine API per image. */
  ENGINE("engine");

  private final String id;

  BuilderKind(String id) {
    this.id = id;
  }

  public String id() {
    return id;
  }

  public static Optional<BuilderKind> byId(String id) {
    return Arrays.stream(values()).filter(k -> k.id.equals(id)).findFirst();
  }

  /** "auto, append, phased, buildx or engine", for messages. */
  public static String ids() {
    String all = Arrays.stream(values()).map(BuilderKind::id).collect(Collectors.joining(", "));
    return all.replaceFirst(", (?=[^,]*$)", " or ");
  }

  /** Reads each base from its registry itself (no daemon pull): append and phased. */
  public boolean readsBases() {
    return this == APPEND || this == PHASED;
  }

  /** Pushes attestations (provenance, SBOM) with each image: only buildx makes them. */
  public boolean attests() {
    return this == BUILDX;
  }

  @Override
  public String toString() {
    return id.toLowerCase(Locale.ROOT);
  }
}
