package io.imagefleet;

import java.net.URI;
import java.util.Locale;
import java.util.Objects;

/**
 * Where a URL points: scheme, host and port (the scheme's default when the URL gives none). A
 * credential sent to one origin goes to no other, and https never becomes http.
 */
public record Origin(String scheme, String host, int port) {
  public static Origin of(URI uri) {
    String scheme = Objects.toString(uri.getScheme(), "").toLowerCase(Locale.ROOT);
    String host = Objects.toString(uri.getHost(), "").toLowerCase(Locale.ROOT);
    int port =
        uri.getPort() >= 0
            ? uri.getPort()
            : switch (scheme) {
              case "http" -> 80;
              case "https" -> 443;
              default -> -1;
            };
    return new Origin(scheme, host, port);
  }

  public static boolean same(URI a, URI b) {
    return of(a).equals(of(b));
  }

  @Override
  public String toString() {
    return scheme + "://" + host + ":" + port;
  }
}
