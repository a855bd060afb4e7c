package io.imagefleet.registry;

import io.imagefleet.ExitCode;
import io.imagefleet.ImagefleetException;
import io.imagefleet.Origin;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * The transport of the registry calls. It follows redirects itself because HttpClient would resend
 * the Authorization header to whatever host a redirect names; here it goes only to the origin it
 * was meant for, and plain HTTP only where {@link InsecureRegistries} allows it.
 */
final class RegistryHttp {
  static final int MAX_REDIRECTS = 5;
  private static final Set<Integer> REDIRECTS = Set.of(301, 302, 303, 307, 308);

  private final HttpClient http;
  private final InsecureRegistries insecure;

  RegistryHttp(InsecureRegistries insecure) {
    this.http =
        HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(10))
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();
    this.insecure = insecure;
  }

  /**
   * {@code method uri}, following up to {@link #MAX_REDIRECTS} redirects. Once a redirect leaves
   * {@code uri}'s origin (scheme, host, port), {@code authorization} is not sent again.
   */
  <T> HttpResponse<T> send(
      String method,
      URI uri,
      Optional<String> authorization,
      String accept,
      HttpResponse.BodyHandler<T> body)
      throws IOException, InterruptedException {
    return send(method, uri, authorization, accept, Optional.empty(), body);
  }

  /** A request body and its media type, e.g. a manifest to PUT. */
  record Payload(byte[] bytes, String contentType) {}

  /** {@code method uri} with {@code payload} as the request body; redirects as above. */
  <T> HttpResponse<T> send(
      String method,
      URI uri,
      Optional<String> authorization,
      String accept,
      Optional<Payload> payload,
      HttpResponse.BodyHandler<T> body)
      throws IOException, InterruptedException {
    requireAllowedScheme(uri);
    URI target = uri;
    Optional<String> auth = authorization;
    for (int hop = 0; ; hop++) {
      HttpResponse<T> response = http.send(request(method, target, auth, accept, payload), body);
      Optional<String> location = response.headers().firstValue("Location");
      if (!REDIRECTS.contains(response.statusCode()) || location.isEmpty()) {
        return response;
      }
      if (hop == MAX_REDIRECTS) {
        throw new IOException("more than " + MAX_REDIRECTS + " redirects from " + uri.getHost());
      }
      target = resolve(target, location.get());
      requireAllowedScheme(target);
      if (!sameOrigin(target, uri)) {
        auth = Optional.empty();
      }
    }
  }

  private static HttpRequest request(
      String method,
      URI uri,
      Optional<String> authorization,
      String accept,
      Optional<Payload> payload) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(uri)
            .method(
                method,
                payload
                    .map(p -> HttpRequest.BodyPublishers.ofByteArray(p.bytes()))
                    .orElse(HttpRequest.BodyPublishers.noBody()))
            .header("Accept", accept)
            .timeout(Duration.ofSeconds(30));
    authorization.ifPresent(a -> request.header("Authorization", a));
    payload.ifPresent(p -> request.header("Content-Type", p.contentType()));
    return request.build();
  }

  private static URI resolve(URI base, String location) throws IOException {
    try {
      return base.resolve(location);
    } catch (IllegalArgumentException e) {
      throw new IOException("unusable redirect from " + base.getHost(), e);
    }
  }

  /** HTTPS anywhere; plain HTTP only to loopback and --insecure-registry hosts. */
  void requireAllowedScheme(URI uri) {
    String scheme = String.valueOf(uri.getScheme()).toLowerCase(Locale.ROOT);
    boolean allowed =
        uri.getHost() != null
            && (scheme.equals("https")
                || (scheme.equals("http") && insecure.allowsHttp(hostPort(uri))));
    if (!allowed) {
      throw new ImagefleetException(
          ExitCode.UNREACHABLE,
          "refused to contact "
              + scheme
              + "://"
              + uri.getHost()
              + ": the registry named it, but imagefleet uses plain HTTP only for loopback and"
              + " --insecure-registry hosts (HTTPS otherwise)");
    }
  }

  static boolean sameOrigin(URI a, URI b) {
    return Origin.same(a, b);
  }

  static boolean isLoopback(URI uri) {
    return uri.getHost() != null && InsecureRegistries.isLoopback(hostOnly(uri));
  }

  private static String hostPort(URI uri) {
    return uri.getPort() < 0 ? hostOnly(uri) : hostOnly(uri) + ":" + uri.getPort();
  }

  private static String hostOnly(URI uri) {
    return uri.getHost().toLowerCase(Locale.ROOT);
  }
}
