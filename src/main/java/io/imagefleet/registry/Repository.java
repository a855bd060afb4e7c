package io.imagefleet.registry;

import java.net.URI;

/**
 * A repository in a registry, as the distribution API addresses it. Plain HTTP only for loopback
 * hosts (localhost, 127.0.0.0/8, [::1]) and the registries {@code --insecure-registry} names;
 * everything else is HTTPS.
 */
public record Repository(String registry, String apiHost, String name, boolean plainHttp) {
  public Repository(String registry, String apiHost, String name) {
    this(registry, apiHost, name, InsecureRegistries.none().allowsHttp(apiHost));
  }

  public static Repository of(ImageReference reference, InsecureRegistries insecure) {
    return new Repository(
        reference.registry(),
        reference.apiHost(),
        reference.repository(),
        insecure.scheme(reference.registry()).equals("http"));
  }

  /** {@code /v2/<name>/<rest>} on this registry. */
  public URI uri(String rest) {
    return URI.create(scheme() + "://" + apiHost + "/v2/" + name + "/" + rest);
  }

  public String scheme() {
    return plainHttp ? "http" : "https";
  }

  public boolean sameRegistry(Repository other) {
    return apiHost.equals(other.apiHost);
  }

  @Override
  public String toString() {
    return registry + "/" + name;
  }
}
