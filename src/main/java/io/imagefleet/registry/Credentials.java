package io.imagefleet.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.imagefleet.ImagefleetException;
import io.imagefleet.InputText;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Registry credentials, each bound to its host: {@code IMAGEFLEET_REGISTRY_USERNAME}/{@code
 * _PASSWORD} (the action's registry inputs) belong to the target registry (the {@code --image}
 * registry) and to no other; every other registry (a base a dataset names, a mirror) gets the
 * {@code auths} entry of the Docker config ({@code $DOCKER_CONFIG/config.json} or {@code
 * ~/.docker/config.json}) for its own host, or nothing. Credential helpers are not consulted.
 * {@link #toString()} never shows a password.
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
  private final String target;
  private final List<String> warnings;

  Credentials(
      Map<String, Login> byRegistry,
      Optional<Login> fromEnvironment,
      String target,
      List<String> warnings) {
    this.byRegistry = Map.copyOf(byRegistry);
    this.fromEnvironment = fromEnvironment;
    this.target = target.toLowerCase(Locale.ROOT);
    this.warnings = List.copyOf(warnings);
  }

  public static Credentials none() {
    return new Credentials(Map.of(), Optional.empty(), "", List.of());
  }

  /**
   * The credentials of {@code env}: its {@code IMAGEFLEET_REGISTRY_*} login for {@code target}'s
   * registry only, and the Docker config's logins for their own hosts.
   */
  public static Credentials load(Map<String, String> env, ImageReference target) {
    Optional<Login> fromEnv = Optional.empty();
    String user = env.get("IMAGEFLEET_REGISTRY_USERNAME");
    String password = env.get("IMAGEFLEET_REGISTRY_PASSWORD");
    if (user != null && !user.isEmpty() && (password == null || password.isEmpty())) {
      throw ImagefleetException.invalidInput(
          "IMAGEFLEET_REGISTRY_USERNAME is set but IMAGEFLEET_REGISTRY_PASSWORD is empty; set the"
              + " password (a token), or unset both to use ~/.docker/config.json");
    }
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
    List<String> warnings = new ArrayList<>();
    return new Credentials(readConfig(config, warnings), fromEnv, target.registry(), warnings);
  }

  /** Credentials for a registry host as the image names it (docker.io for Docker Hub). */
  public Optional<Login> forRegistry(String registry) {
    if (fromEnvironment.isPresent() && registry.toLowerCase(Locale.ROOT).equals(target)) {
      return fromEnvironment;
    }
    Login login = byRegistry.get(registry);
    if (login == null && registry.equals(ImageReference.DOCKER_HUB)) {
      login = byRegistry.get("https://index.docker.io/v1/");
    }
    return Optional.ofNullable(login);
  }

  /** Config entries that were skipped, one line each, naming the entry (never its secret). */
  public List<String> warnings() {
    return warnings;
  }

  private static Map<String, Login> readConfig(Path config, List<String> warnings) {
    Map<String, Login> logins = new HashMap<>();
    if (!Files.isRegularFile(config)) {
      return logins;
    }
    JsonNode auths;
    try {
      auths = new ObjectMapper().readTree(config.toFile()).path("auths");
    } catch (IOException e) {
      // An unreadable config is the same as none: anonymous access is tried.
      return logins;
    }
    auths
        .fields()
        .forEachRemaining(
            entry -> {
              String auth = entry.getValue().path("auth").asText("");
              if (auth.isEmpty()) {
                return;
              }
              Optional<Login> login = decode(auth);
              if (login.isEmpty()) {
                // One bad entry must not cost the others their logins.
                warnings.add(
                    config
                        + ": auths entry "
                        + InputText.quote(entry.getKey())
                        + " is not base64 of user:password; skipped it");
                return;
              }
              String host = entry.getKey().replaceFirst("^https?://", "").replaceFirst("/.*$", "");
              logins.put(host, login.get());
              logins.put(entry.getKey(), login.get());
            });
    return logins;
  }

  private static Optional<Login> decode(String auth) {
    String decoded;
    try {
      decoded = new String(Base64.getDecoder().decode(auth.strip()), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
    int colon = decoded.indexOf(':');
    return colon > 0
        ? Optional.of(new Login(decoded.substring(0, colon), decoded.substring(colon + 1)))
        : Optional.empty();
  }
}
