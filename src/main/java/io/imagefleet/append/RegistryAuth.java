package io.imagefleet.append;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.imagefleet.docker.StepFailure;
import io.imagefleet.registry.Credentials;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Answers registry challenges: Basic credentials for a Basic one, a bearer token (anonymous, or
 * Basic-for-token) for a Bearer one. Shared by all workers: the last challenge per registry host is
 * kept, so later scopes get a token before their first call, and authorizations are cached per
 * registry and scope. The token service must be HTTPS (or loopback).
 */
final class RegistryAuth {
  private static final Pattern CHALLENGE_PARAM = Pattern.compile("(\\w+)=\"([^\"]*)\"");
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Credentials credentials;
  private final HttpClient http;
  private final Map<String, String> challenges = new ConcurrentHashMap<>();
  private final Map<String, String> authorizations = new ConcurrentHashMap<>();

  RegistryAuth(Credentials credentials, HttpClient http) {
    this.credentials = credentials;
    this.http = http;
  }

  /** What to send before any 401: the cached authorization, or one for the host's challenge. */
  String known(RegistryCall call, Deadline deadline) throws IOException {
    String authorization = authorizations.get(call.scope().key());
    String challenge = challenges.get(call.uri().getAuthority());
    return authorization == null && challenge != null
        ? authorize(challenge, call, deadline)
        : authorization;
  }

  /** Answers a 401's challenge; null when there is nothing to answer it with. */
  String answer(HttpResponse<?> unauthorized, RegistryCall call, Deadline deadline)
      throws IOException {
    String challenge = unauthorized.headers().firstValue("WWW-Authenticate").orElse("");
    challenges.put(call.uri().getAuthority(), challenge);
    return authorize(challenge, call, deadline);
  }

  private String authorize(String challenge, RegistryCall call, Deadline deadline)
      throws IOException {
    Optional<Credentials.Login> login =
        credentials.forRegistry(call.scope().repository().registry());
    String authorization = null;
    if (challenge.regionMatches(true, 0, "Basic", 0, 5)) {
      authorization = login.map(RegistryAuth::basic).orElse(null);
    } else if (challenge.regionMatches(true, 0, "Bearer", 0, 6)) {
      authorization = token(parameters(challenge), call, login, deadline);
    }
    if (authorization != null) {
      authorizations.put(call.scope().key(), authorization);
    }
    return authorization;
  }

  private String token(
      Map<String, String> challenge,
      RegistryCall call,
      Optional<Credentials.Login> login,
      Deadline deadline)
      throws IOException {
    String realm = challenge.get("realm");
    if (realm == null) {
      return null;
    }
    URI realmUri = URI.create(realm);
    if (!"https".equals(realmUri.getScheme()) && !Repository.isLoopback(realmUri.getAuthority())) {
      throw new StepFailure(
          call.action() + " failed: the token service " + realm + " is not HTTPS", false);
    }
    // GET <realm>?service=<service>&scope=repository:<name>:pull,push&scope=…
    HttpRequest.Builder request =
        HttpRequest.newBuilder(tokenUri(realm, challenge.get("service"), call))
            .timeout(deadline.bound(RegistryExchange.CALL_TIMEOUT))
            .GET();
    login.ifPresent(l -> request.header("Authorization", basic(l)));
    HttpResponse<byte[]> response =
        RegistryExchange.await(
            http.sendAsync(request.build(), HttpResponse.BodyHandlers.ofByteArray()),
            call,
            deadline);
    if (response.statusCode() != 200) {
      throw refused(realmUri, call, response.statusCode());
    }
    JsonNode body = JSON.readTree(response.body());
    String token = body.path("token").asText(body.path("access_token").asText(""));
    return token.isEmpty() ? null : "Bearer " + token;
  }

  private static StepFailure refused(URI realm, RegistryCall call, int status) {
    return new StepFailure(
        "token request to "
            + realm.getHost()
            + " for "
            + String.join(" ", call.scope().scopes())
            + " ("
            + call.action()
            + ") failed: HTTP "
            + status
            + RegistryExchange.authHint(401),
        false);
  }

  private static Map<String, String> parameters(String challenge) {
    Map<String, String> params = new LinkedHashMap<>();
    Matcher m = CHALLENGE_PARAM.matcher(challenge);
    while (m.find()) {
      params.put(m.group(1), m.group(2));
    }
    return params;
  }

  private static URI tokenUri(String realm, String service, RegistryCall call) {
    StringBuilder url = new StringBuilder(realm).append(realm.contains("?") ? "&" : "?");
    if (service != null) {
      url.append("service=").append(encode(service));
    }
    for (String scope : call.scope().scopes()) {
      url.append("&scope=").append(encode(scope));
    }
    return URI.create(url.toString());
  }

  private static String basic(Credentials.Login login) {
    String pair = login.username() + ":" + login.password();
    return "Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8));
  }

  static String encode(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }
}
