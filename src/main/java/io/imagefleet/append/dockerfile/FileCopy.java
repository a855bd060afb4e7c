package io.imagefleet.append.dockerfile;

import java.util.List;
import java.util.Optional;

/**
 * One COPY or ADD of the appended stage, its words expanded: sources relative to the context (or to
 * the root of stage {@code fromStage}), an absolute destination, and the owner and mode it sets.
 */
public record FileCopy(
    int line,
    String instruction,
    boolean add,
    Optional<String> fromStage,
    List<String> sources,
    String destination,
    boolean destinationIsDirectory,
    Optional<Owner> owner,
    Optional<Integer> mode) {

  /** A numeric {@code --chown}: names would need the base image's /etc/passwd. */
  public record Owner(int uid, int gid) {}

  public FileCopy {
    sources = List.copyOf(sources);
  }
}
