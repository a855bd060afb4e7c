package io.imagefleet.registry;

import io.imagefleet.ImagefleetException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An image reference split the way the distribution API needs it: the registry host, the repository
 * name and a tag. Docker Hub names get {@code registry-1.docker.io} and {@code library/}.
 */
public record ImageReference(String registry, String repository, String tag) {
  static final String DOCKER_HUB = "docker.io";
  private static final Pattern REPOSITORY =
      Pattern.compile(
          "[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*");

  /** A host name or bracketed IPv6 literal, and a port. */
  private static final Pattern REGISTRY =
      Pattern.compile(
          "(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*"
              + "|\\[[0-9a-f:]+\\])(?::([0-9]{1,5}))?");

  /** Parses {@code [host[:port]/]name[:tag]}; a missing tag is {@code latest}. */
  public static ImageReference parse(String reference) {
    String rest = reference.strip();
    String registry = DOCKER_HUB;
    int slash = rest.indexOf('/');
    if (slash > 0) {
      String first = rest.substring(0, slash);
      if (first.contains(".") || first.contains(":") || first.equals("localhost")) {
        registry = first.toLowerCase(Locale.ROOT);
        rest = rest.substring(slash + 1);
      }
    }
    String tag = "latest";
    int colon = rest.lastIndexOf(':');
    if (colon > 0) {
      tag = rest.substring(colon + 1);
      rest = rest.substring(0, colon);
    }
    if (registry.equals(DOCKER_HUB) && !rest.contains("/")) {
      rest = "library/" + rest;
    }
    Matcher host = REGISTRY.matcher(registry);
    if (!host.matches() || host.group(1) != null && Integer.parseInt(host.group(1)) > 65535) {
      throw ImagefleetException.invalidInput(
          "'"
              + reference
              + "' names registry '"
              + registry
              + "', which is no host[:port] (e.g. ghcr.io, localhost:5000)");
    }
    if (!REPOSITORY.matcher(rest).matches()) {
      throw ImagefleetException.invalidInput(
          "'"
              + reference
              + "' is not a valid image repository (lower case, e.g. ghcr.io/org/agent)");
    }
    return new ImageReference(registry, rest, tag);
  }

  /** The repository as Docker names it: {@code host/name}, without docker.io. */
  public String repositoryName() {
    return registry.equals(DOCKER_HUB)
        ? repository.replaceFirst("^library/", "")
        : registry + "/" + repository;
  }

  public String withTag(String newTag) {
    return repositoryName() + ":" + newTag;
  }

  @Override
  public String toString() {
    return repositoryName() + ":" + tag;
  }

  /** The host serving the distribution API for this registry. */
  public String apiHost() {
    return registry.equals(DOCKER_HUB) ? "registry-1.docker.io" : registry;
  }
}
