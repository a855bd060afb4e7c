package io.imagefleet.registry;

import io.imagefleet.Backoff;
import io.imagefleet.ExitCode;
import io.imagefleet.ImagefleetException;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The OCI distribution calls imagefleet makes: whether a tag exists (and its digest). Handles the
 * bearer-token challenge (anonymous or with credentials) and retries 5xx/429 with backoff.
 * Credentials go only to the registry's origin and the token realm it names, never along a redirect
 * to another origin.
 */
public final class RegistryClient {
  static final String ACCEPT =
      "application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json,"
          + " application/vnd.docker.distribution.manifest.list.v2+json,"
          + " application/vnd.docker.distribution.manifest.v2+json";

  private final Credentials credentials;
  private final InsecureRegistries insecure;
  private final RegistryHttp http;
  private final int attempts;
  private final Duration backoff;
  private final Map<String, String> tokens = new ConcurrentHashMap<>();

  public RegistryClient(
      Credentials credentials, InsecureRegistries insecure, int attempts, Duration backoff) {
    this.credentials = credentials;
    this.insecure = insecure;
    this.http = new RegistryHttp(insecure);
    this.attempts = Math.max(1, attempts);
    this.backoff = backoff;
  }

  /** The manifest digest of the tag, or empty when the registry doesn't have it. */
  public Optional<String> manifestDigest(ImageReference image) {
    // HEAD /v2/<name>/manifests/<tag>
    URI uri =
        URI.create(
            insecure.scheme(image.registry())
                + "://"
                + image.apiHost()
                + "/v2/"
                + image.repository()
                + "/manifests/"
                + image.tag());
    String action = "check " + image + " in the registry";
    HttpResponse<Void> response = send(uri, image, "pull", action);
    return switch (response.statusCode()) {
      case 200 -> Optional.of(response.headers().firstValue("Docker-Content-Digest").orElse(""));
      case 404 -> Optional.empty();
      default ->
          throw new ImagefleetException(
              ExitCode.UNREACHABLE,
              action + " failed: HTTP " + response.statusCode() + authHint(response.statusCode()));
    };
  }

  private HttpResponse<Void> send(URI uri, ImageReference image, String actions, String action) {
    return exchange("HEAD", uri, image, actions, action, HttpResponse.BodyHandlers.discarding());
  }

  /**
   * {@code method uri} with the registry's auth for {@code actions} (pull, delete) on the image's
   * repository, retrying 5xx, 429 and broken connections; any other status is the caller's to
   * judge.
   */
  <T> HttpResponse<T> exchange(
      String method,
      URI uri,
      ImageReference image,
      String actions,
      String action,
      HttpResponse.BodyHandler<T> body) {
    return exchange(method, uri, image, actions, action, Optional.empty(), body);
  }

  /** {@link #exchange} with a request body. */
  <T> HttpResponse<T> exchange(
      String method,
      URI uri,
      ImageReference image,
      String actions,
      String action,
      Optional<RegistryHttp.Payload> payload,
      HttpResponse.BodyHandler<T> body) {
    String problem = "";
    for (int attempt = 1; attempt <= attempts; attempt++) {
      try {
        HttpResponse<T> response = authorized(method, uri, image, actions, payload, body);
        if (response.statusCode() < 500 && response.statusCode() != 429) {
          return response;
        }
        problem = "HTTP " + response.statusCode();
      } catch (IOException e) {
        problem =
            e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new ImagefleetException(ExitCode.UNREACHABLE, action + ": interrupted");
      }
      if (attempt < attempts) {
        Backoff.pause(Backoff.delay(backoff, attempt));
      }
    }
    throw new ImagefleetException(
        ExitCode.UNREACHABLE,
        action
            + " failed after "
            + attempts
            + " attempts (last: "
            + problem
            + "); is the registry up?");
  }

  /** One try: with the token this scope already has, else answering the registry's challenge. */
  private <T> HttpResponse<T> authorized(
      String method,
      URI uri,
      ImageReference image,
      String actions,
      Optional<RegistryHttp.Payload> payload,
      HttpResponse.BodyHandler<T> body)
      throws IOException, InterruptedException {
    String scopeKey = image.apiHost() + "|" + image.repository() + "|" + actions;
    HttpResponse<T> response =
        http.send(method, uri, Optional.ofNullable(tokens.get(scopeKey)), ACCEPT, payload, body);
    // A challenge from another origin (after a redirect) never gets this registry's login.
    if (response.statusCode() == 401 && RegistryHttp.sameOrigin(response.uri(), uri)) {
      Optional<String> authorization = authorize(response, image, actions);
      if (authorization.isPresent()) {
        tokens.put(scopeKey, authorization.get());
        response = http.send(method, uri, authorization, ACCEPT, payload, body);
      }
    }
    return response;
  }

  /**
   * Answers a 401 challenge: Basic with credentials, or Bearer through the token endpoint. The
   * credentials go to the realm the registry names (the distribution spec), never over plain HTTP
   * unless the realm is loopback.
   */
  private Optional<String> authorize(HttpResponse<?> response, ImageReference image, String actions)
      throws IOException, InterruptedException {
    AuthChallenge challenge =
        AuthChallenge.parse(response.headers().firstValue("WWW-Authenticate").orElse(""));
    Optional<Credentials.Login> login = credentials.forRegistry(image.registry());
    if (challenge.basic()) {
      return login.map(AuthChallenge::basicAuthorization);
    }
    if (!challenge.bearer()) {
      return Optional.empty();
    }
    String scope = challenge.scope("repository:" + image.repository() + ":" + actions);
    URI tokenUri = realmUri(challenge.tokenUrl(List.of(scope)), image);
    requireSafeRealm(tokenUri, login, image);
    // GET <realm>?service=…&scope=repository:<name>:<actions>
    HttpResponse<byte[]> token =
        http.send(
            "GET",
            tokenUri,
            login.map(AuthChallenge::basicAuthorization),
            "application/json",
            HttpResponse.BodyHandlers.ofByteArray());
    if (token.statusCode() != 200) {
      throw new ImagefleetException(
          ExitCode.UNREACHABLE,
          "token request to "
              + tokenUri.getHost()
              + " for "
              + image.repositoryName()
              + " failed: HTTP "
              + token.statusCode()
              + AuthChallenge.LOGIN_HINT);
    }
    return AuthChallenge.bearerAuthorization(token.body());
  }

  /** Credentials go over HTTPS only, or to loopback; anonymous token requests may use HTTP. */
  private void requireSafeRealm(
      URI tokenUri, Optional<Credentials.Login> login, ImageReference image) {
    http.requireAllowedScheme(tokenUri);
    if (login.isPresent()
        && tokenUri.getScheme().equalsIgnoreCase("http")
        && !RegistryHttp.isLoopback(tokenUri)) {
      throw new ImagefleetException(
          ExitCode.UNREACHABLE,
          "token realm of "
              + image.registry()
              + " is plain HTTP on "
              + tokenUri.getHost()
              + "; imagefleet sends registry credentials over HTTPS only (or to loopback)");
    }
  }

  private static URI realmUri(String url, ImageReference image) {
    try {
      return URI.create(url);
    } catch (IllegalArgumentException e) {
      throw new ImagefleetException(
          ExitCode.UNREACHABLE,
          image.registry() + " named a token realm that is not a URL; is it a registry?");
    }
  }

  /** The scheme and host of the image's registry API, e.g. {@code https://ghcr.io}. */
  String base(ImageReference image) {
    return insecure.scheme(image.registry()) + "://" + image.apiHost();
  }

  static String authHint(int status) {
    return status == 401 || status == 403 ? AuthChallenge.LOGIN_HINT : "";
  }

  /** Whether the registry answers at all (any HTTP status counts), within seconds. */
  public boolean answers(ImageReference image) {
    // GET /v2/
    URI uri = URI.create(insecure.scheme(image.registry()) + "://" + image.apiHost() + "/v2/");
    try {
      http.send("GET", uri, Optional.empty(), ACCEPT, HttpResponse.BodyHandlers.discarding());
      return true;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
