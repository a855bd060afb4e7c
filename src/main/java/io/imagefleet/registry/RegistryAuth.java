package io.imagefleet.registry;

import io.imagefleet.Origin;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Answers registry challenges: Basic credentials for a Basic one, a bearer token (anonymous, or
 * Basic-for-token) for a Bearer one. The login is the one {@link Credentials} holds for the
 * repository's own registry, so a registry a dataset names never sees another host's secret. Shared
 * by all workers: the last challenge per registry origin is kept, so later scopes get a token
 * before their first call, and authorizations are cached per registry and scope.
 */
final class RegistryAuth {
  private final Credentials credentials;
  private final InsecureRegistries insecure;
  private final Map<String, AuthChallenge> challenges = new ConcurrentHashMap<>();
  private final Map<String, String> authorizations = new ConcurrentHashMap<>();

  RegistryAuth(Credentials credentials, InsecureRegistries insecure) {
    this.credentials = credentials;
    this.insecure = insecure;
  }

  /** What to send before any 401: the cached authorization, or one for the origin's challenge. */
  Optional<String> known(RegistryCall call, RegistryTransport transport, Deadline deadline)
      throws IOException {
    String authorization = authorizations.get(call.scope().key());
    if (authorization != null) {
      return Optional.of(authorization);
    }
    AuthChallenge challenge = challenges.get(Origin.of(call.uri()).toString());
    return challenge == null ? Optional.empty() : authorize(challenge, call, transport, deadline);
  }

  /** Answers a 401's challenge; empty when there is nothing to answer it with. */
  Optional<String> answer(
      HttpResponse<?> unauthorized,
      RegistryCall call,
      RegistryTransport transport,
      Deadline deadline)
      throws IOException {
    AuthChallenge challenge =
        AuthChallenge.parse(unauthorized.headers().firstValue("WWW-Authenticate").orElse(""));
    challenges.put(Origin.of(call.uri()).toString(), challenge);
    return authorize(challenge, call, transport, deadline);
  }

  private Optional<String> authorize(
      AuthChallenge challenge, RegistryCall call, RegistryTransport transport, Deadline deadline)
      throws IOException {
    Optional<Credentials.Login> login =
        credentials.forRegistry(call.scope().repository().registry());
    Optional<String> authorization = Optional.empty();
    if (challenge.basic()) {
      authorization = login.map(AuthChallenge::basicAuthorization);
    } else if (challenge.bearer()) {
      authorization = token(challenge, call, login, transport, deadline);
    }
    authorization.ifPresent(a -> authorizations.put(call.scope().key(), a));
    return authorization;
  }

  private Optional<String> token(
      AuthChallenge challenge,
      RegistryCall call,
      Optional<Credentials.Login> login,
      RegistryTransport transport,
      Deadline deadline)
      throws IOException {
    URI realm = realm(challenge.tokenUrl(call.scope().scopes()), call);
    // GET <realm>?service=<service>&scope=repository:<name>:<actions>&scope=…
    RegistryCall request =
        RegistryCall.of(
                "token request to " + realm.getHost() + " for " + call.scope().repository(),
                "GET",
                realm,
                call.scope(),
                java.util.Set.of(200))
            .withHeader("Accept", "application/json");
    HttpResponse<byte[]> response;
    try {
      response =
          transport.follow(
              request,
              login.map(AuthChallenge::basicAuthorization),
              BoundedBody.upTo(BoundedBody.SMALL),
              deadline);
    } catch (BoundedBody.TooLarge e) {
      throw RegistryFailure.failed(
          request.action() + " failed: " + realm.getHost() + " sent " + e.getMessage());
    } catch (IOException e) {
      throw RegistryFailure.unreachable(
          request.action() + " failed: " + RegistryTransport.describe(e));
    }
    if (response.statusCode() != 200) {
      throw RegistryFailure.failed(
          request.action()
              + " ("
              + call.action()
              + ") failed: HTTP "
              + response.statusCode()
              + RegistryTransport.loginHint(call));
    }
    return AuthChallenge.bearerAuthorization(response.body());
  }

  /**
   * The token service's URL: HTTPS, or plain HTTP only on loopback and {@code --insecure-registry}
   * hosts (credentials go there too, so the rule is the registry's own); no user info.
   */
  private URI realm(String url, RegistryCall call) {
    URI realm;
    try {
      realm = URI.create(url);
    } catch (IllegalArgumentException e) {
      throw RegistryFailure.failed(
          call.action()
              + " failed: "
              + call.scope().repository().registry()
              + " named a token realm that is not a URL; is it a registry?");
    }
    insecure.requireAllowed(realm, call.action());
    return realm;
  }
}
