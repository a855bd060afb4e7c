package io.imagefleet.registry;

import io.imagefleet.ImagefleetException;
import io.imagefleet.InputText;
import java.net.URI;
import java.util.Collection;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Which registries imagefleet talks to over plain HTTP: loopback by address ({@code localhost},
 * {@code 127.0.0.0/8} literals, {@code [::1]}) and the {@code --insecure-registry} hosts. A named
 * {@code HOST} covers every port of it; {@code HOST:PORT} only that port. Everything else is HTTPS.
 */
public record InsecureRegistries(Set<String> hosts) {
  private static final Pattern HOST_PORT =
      Pattern.compile(
          "([a-z0-9]([a-z0-9-]*[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*|\\[[0-9a-f:.]+\\])(:[0-9]{1,5})?");
  private static final Pattern LOOPBACK_V4 =
      Pattern.compile("127(\\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}");

  public InsecureRegistries {
    hosts = Set.copyOf(hosts);
  }

  public static InsecureRegistries none() {
    return new InsecureRegistries(Set.of());
  }

  /** Validates {@code --insecure-registry} values: {@code HOST} or {@code HOST:PORT}. */
  public static InsecureRegistries of(Collection<String> values) {
    return new InsecureRegistries(
        values.stream().map(InsecureRegistries::hostPort).collect(Collectors.toSet()));
  }

  private static String hostPort(String value) {
    String normal = value.strip().toLowerCase(Locale.ROOT);
    if (!HOST_PORT.matcher(normal).matches()) {
      throw ImagefleetException.invalidInput(
          "--insecure-registry must be HOST or HOST:PORT such as registry.lan:5000, got "
              + InputText.quote(value));
    }
    return normal;
  }

  /** "http" or "https" for a registry as image references name it ({@code host[:port]}). */
  public String scheme(String registry) {
    return allowsHttp(registry) ? "http" : "https";
  }

  boolean allowsHttp(String registry) {
    String host = host(registry);
    return isLoopback(host) || hosts.contains(registry) || hosts.contains(host);
  }

  /**
   * {@code uri} when imagefleet may send to it: HTTPS, or HTTP to a host this allows; a host and no
   * user info (a {@code user@} part is refused, not ignored). The scheme is compared in any case;
   * host and port come from the parsed URI, never from the text.
   */
  public URI requireAllowed(URI uri, String action) {
    String scheme = String.valueOf(uri.getScheme()).toLowerCase(Locale.ROOT);
    if (uri.getHost() == null || uri.getRawUserInfo() != null) {
      throw RegistryFailure.failed(
          action
              + " failed: refused the URL "
              + InputText.quote(uri.toString())
              + " (no host, or"
              + " user info in it)");
    }
    String host = uri.getHost().toLowerCase(Locale.ROOT);
    String hostPort = uri.getPort() < 0 ? host : host + ":" + uri.getPort();
    boolean allowed = scheme.equals("https") || (scheme.equals("http") && allowsHttp(hostPort));
    if (!allowed) {
      throw RegistryFailure.failed(
          action
              + " failed: refused to contact "
              + scheme
              + "://"
              + host
              + ": imagefleet uses plain HTTP only for loopback and --insecure-registry hosts"
              + " (HTTPS otherwise)");
    }
    return uri;
  }

  /** Loopback by name or literal only: {@code 127.attacker.example} is a host like any other. */
  static boolean isLoopback(String host) {
    return host.equals("localhost") || host.equals("[::1]") || LOOPBACK_V4.matcher(host).matches();
  }

  /** The host of {@code host[:port]}, brackets kept for IPv6 literals. */
  static String host(String registry) {
    String lower = registry.toLowerCase(Locale.ROOT);
    if (lower.startsWith("[")) {
      int end = lower.indexOf(']');
      return end < 0 ? lower : lower.substring(0, end + 1);
    }
    int colon = lower.indexOf(':');
    return colon < 0 ? lower : lower.substring(0, colon);
  }
}
