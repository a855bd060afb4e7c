package io.imagefleet.append;

import io.imagefleet.registry.ImageReference;
import io.imagefleet.registry.InsecureRegistries;
import java.net.URI;
import java.util.regex.Pattern;

/**
 * A repository in a registry, as the distribution API addresses it. Plain HTTP only for loopback
 * hosts (localhost, 127.0.0.0/8, [::1]) and the registries {@code --insecure-registry} names;
 * everything else is HTTPS.
 */
record Repository(String registry, String apiHost, String name, boolean plainHttp) {
  Repository(String registry, String apiHost, String name) {
    this(registry, apiHost, name, isLoopback(apiHost));
  }

  private static final Pattern IPV4_LOOPBACK =
      Pattern.compile("127\\.(25[0-5]|2[0-4]\\d|1?\\d?\\d)(\\.(25[0-5]|2[0-4]\\d|1?\\d?\\d)){2}");

  static Repository of(ImageReference reference, InsecureRegistries insecure) {
    return new Repository(
        reference.registry(),
        reference.apiHost(),
        reference.repository(),
        insecure.scheme(reference.registry()).equals("http"));
  }

  /** {@code /v2/<name>/<rest>} on this registry. */
  URI uri(String rest) {
    return URI.create(scheme() + "://" + apiHost + "/v2/" + name + "/" + rest);
  }

  String scheme() {
    return plainHttp ? "http" : "https";
  }

  boolean sameRegistry(Repository other) {
    return apiHost.equals(other.apiHost);
  }

  static boolean isLoopback(String hostAndPort) {
    String host = hostAndPort;
    if (host.startsWith("[")) {
      host = host.substring(0, host.indexOf(']') + 1);
    } else if (host.contains(":")) {
      host = host.substring(0, host.indexOf(':'));
    }
    return host.equals("localhost")
        || host.equals("[::1]")
        || IPV4_LOOPBACK.matcher(host).matches();
  }

  @Override
  public String toString() {
    return registry + "/" + name;
  }
}
