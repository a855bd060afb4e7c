package io.imagefleet.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A registry's 401 challenge ({@code WWW-Authenticate}): Basic, or Bearer naming the token service
 * ({@code realm}, {@code service}, {@code scope}) as the distribution spec's token flow has it.
 */
public record AuthChallenge(String scheme, Map<String, String> params) {
  private static final Pattern PARAM = Pattern.compile("(\\w+)=\"([^\"]*)\"");
  private static final ObjectMapper JSON = new ObjectMapper();

  public static AuthChallenge parse(String header) {
    String value = header == null ? "" : header.strip();
    int space = value.indexOf(' ');
    String scheme = space < 0 ? value : value.substring(0, space);
    Map<String, String> params = new LinkedHashMap<>();
    Matcher m = PARAM.matcher(value);
    while (m.find()) {
      params.put(m.group(1), m.group(2));
    }
    return new AuthChallenge(scheme, Map.copyOf(params));
  }

  public boolean basic() {
    return scheme.equalsIgnoreCase("Basic");
  }

  /** Bearer with a realm to ask; a Bearer challenge without one can't be answered. */
  public boolean bearer() {
    return scheme.equalsIgnoreCase("Bearer") && params.containsKey("realm");
  }

  public String realm() {
    return params.get("realm");
  }

  /** The scope the registry asked for, else {@code fallback}. */
  public String scope(String fallback) {
    return params.getOrDefault("scope", fallback);
  }

  /** {@code <realm>?service=<service>&scope=<scope>&…}: the token request for these scopes. */
  public String tokenUrl(List<String> scopes) {
    List<String> query = new ArrayList<>();
    if (params.containsKey("service")) {
      query.add("service=" + encode(params.get("service")));
    }
    scopes.forEach(scope -> query.add("scope=" + encode(scope)));
    String realm = realm();
    return realm + (realm.contains("?") ? "&" : "?") + String.join("&", query);
  }

  public static String basicAuthorization(Credentials.Login login) {
    String pair = login.username() + ":" + login.password();
    return "Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8));
  }

  /** The Authorization value a token response grants ({@code token} or {@code access_token}). */
  public static Optional<String> bearerAuthorization(byte[] tokenResponse) throws IOException {
    JsonNode body = JSON.readTree(tokenResponse);
    String token = body.path("token").asText(body.path("access_token").asText(""));
    return token.isEmpty() ? Optional.empty() : Optional.of("Bearer " + token);
  }

  private static String encode(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }
}
