package io.imagefleet.registry;

import java.net.URI;
import java.net.http.HttpRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * One registry request: what it does (for messages), what it sends, which statuses it accepts, and
 * whether it may be sent again ({@code body} can be read once when not).
 */
public record RegistryCall(
    String action,
    String method,
    URI uri,
    Scope scope,
    Set<Integer> accepted,
    Map<String, String> headers,
    Supplier<HttpRequest.BodyPublisher> body,
    boolean retryable) {

  /** A call without a request body. */
  public static RegistryCall of(
      String action, String method, URI uri, Scope scope, Set<Integer> accepted) {
    return new RegistryCall(
        action, method, uri, scope, accepted, Map.of(), HttpRequest.BodyPublishers::noBody, true);
  }

  /** The same call with one more request header. */
  public RegistryCall withHeader(String name, String value) {
    Map<String, String> more = new java.util.LinkedHashMap<>(headers);
    more.put(name, value);
    return new RegistryCall(
        action, method, uri, scope, accepted, Map.copyOf(more), body, retryable);
  }

  /**
   * Which repositories a call needs and what it does there ({@code pull}, {@code pull,push}, {@code
   * pull,delete}), plus one it mounts from.
   */
  public record Scope(Repository repository, String actions, Optional<Repository> mountFrom) {
    public static Scope pull(Repository repository) {
      return new Scope(repository, "pull", Optional.empty());
    }

    public static Scope push(Repository repository) {
      return new Scope(repository, "pull,push", Optional.empty());
    }

    public static Scope of(Repository repository, String actions) {
      return new Scope(repository, actions, Optional.empty());
    }

    public boolean push() {
      return actions.contains("push");
    }

    List<String> scopes() {
      List<String> scopes = new ArrayList<>();
      scopes.add("repository:" + repository.name() + ":" + actions);
      mountFrom.ifPresent(from -> scopes.add("repository:" + from.name() + ":pull"));
      return scopes;
    }

    String key() {
      return repository.apiHost() + " " + String.join(" ", scopes());
    }
  }
}
