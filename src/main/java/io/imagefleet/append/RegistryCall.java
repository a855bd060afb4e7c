package io.imagefleet.append;

import java.net.URI;
import java.net.http.HttpRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/** One HTTP exchange: what it does (for messages), what it sends, what it accepts. */
record RegistryCall(
    String action,
    String method,
    URI uri,
    Scope scope,
    Set<Integer> accepted,
    Map<String, String> headers,
    Supplier<HttpRequest.BodyPublisher> body,
    boolean retryable) {
  /** Which repositories a call needs: the one it addresses, plus one it mounts from. */
  record Scope(Repository repository, boolean push, Optional<Repository> mountFrom) {
    static Scope pull(Repository repository) {
      return new Scope(repository, false, Optional.empty());
    }

    static Scope push(Repository repository) {
      return new Scope(repository, true, Optional.empty());
    }

    List<String> scopes() {
      List<String> scopes = new ArrayList<>();
      scopes.add("repository:" + repository.name() + (push ? ":pull,push" : ":pull"));
      mountFrom.ifPresent(from -> scopes.add("repository:" + from.name() + ":pull"));
      return scopes;
    }

    String key() {
      return repository.apiHost() + " " + String.join(" ", scopes());
    }
  }
}
