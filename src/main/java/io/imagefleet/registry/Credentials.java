package io.imagefleet.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Registry credentials: {@code IMAGEFLEET_REGISTRY_USERNAME}/{@code _PASSWORD} for the target
 * registry, else the {@code auths} of the Docker config ({@code $DOCKER_CONFIG/config.json} or
 * {@code ~/.docker/config.json}). Credential helpers are not consulted. {@link #toString()} never
 * shows a password.
 */
public final class Credentials {
  /** user and password (or token) for one registry. */
  public record Login(String username, String password) {
    @Override
    public String toString() {
      return "Login[" + username + ", ****]";
    }
  }

  private final Map<String, Login> byRegistry;
  private final Optional<Login> fromEnvironment;

  Credentials(Map<String, Login> byRegistry, Optional<Login> fromEnvironment) {
    this.byRegistry = Map.copyOf(byRegistry);
    this.fromEnvironment = fromEnvironment;
  }

  public static Credentials none() {
    return new Credentials(Map.of(), Optional.empty());
  }

  public static Credentials load(Map<String, String> env) {
    Optional<Login> fromEnv = Optional.empty();
    String user = env.get("IMAGEFLEET_REGISTRY_USERNAME");
    String password = env.get("IMAGEFLEET_REGISTRY_PASSWORD");
    if (password != null && !password.isEmpty()) {
      fromEnv =
          Optional.of(new Login(user == null || user.isEmpty() ? "imagefleet" : user, password));
    }
    Path config =
        env.containsKey("DOCKER_CONFIG")
            ? Path.of(env.get("DOCKER_CONFIG"), "config.json")
            : Path.of(
                env.getOrDefault("HOME", System.getProperty("user.home")),
                ".docker",
                "config.json");
    return new Credentials(readConfig(config), fromEnv);
  }

  /** Credentials for a registry host as the image names it (docker.io for Docker Hub). */
  public Optional<Login> forRegistry(String registry) {
    if (fromEnvironment.isPresent()) {
      return fromEnvironment;
    }
    Login login = byRegistry.get(registry);
    if (login == null && registry.equals(ImageReference.DOCKER_HUB)) {
      login = byRegistry.get("https://index.docker.io/v1/");
    }
    return Optional.ofNullable(login);
  }

  private static Map<String, Login> readConfig(Path config) {
    Map<String, Login> logins = new HashMap<>();
    if (!Files.isRegularFile(config)) {
      return logins;
    }
    try {
      JsonNode auths = new ObjectMapper().readTree(config.toFile()).path("auths");
      auths
          .fields()
          .forEachRemaining(
              entry -> {
                String auth = entry.getValue().path("auth").asText("");
                if (auth.isEmpty()) {
                  return;
                }
                String decoded =
                    new String(Base64.getDecoder().decode(auth), StandardCharsets.UTF_8);
                int colon = decoded.indexOf(':');
                if (colon > 0) {
                  String host =
                      entry.getKey().replaceFirst("^https?://", "").replaceFirst("/.*$", "");
                  Login login =
                      new Login(decoded.substring(0, colon), decoded.substring(colon + 1));
                  logins.put(host, login);
                  logins.put(entry.getKey(), login);
                }
              });
    } catch (IOException | IllegalArgumentException e) {
      // An unreadable config is the same as none: anonymous access is tried.
    }
    return logins;
  }
}
