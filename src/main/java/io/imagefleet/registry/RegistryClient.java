package io.imagefleet.registry;

import java.net.URI;
import java.time.Duration;
import java.util.Optional;

/**
 * The registry calls of {@code build}'s skip and verify, {@code check} and {@code retain}: whether
 * a tag exists (and its digest), and the {@link RegistryTransport} they and every other registry
 * call share.
 */
public final class RegistryClient {
  /** How long one call may take, its retries included. */
  static final Duration CALL_DEADLINE = Duration.ofMinutes(5);

  private final RegistryTransport transport;

  public RegistryClient(
      Credentials credentials, InsecureRegistries insecure, int attempts, Duration backoff) {
    this(new RegistryTransport(credentials, insecure, attempts, backoff));
  }

  public RegistryClient(RegistryTransport transport) {
    this.transport = transport;
  }

  public RegistryTransport transport() {
    return transport;
  }

  /**
   * The manifest digest of the tag, or empty when the registry doesn't have it ({@code ""} when it
   * answered without naming one).
   */
  public Optional<String> manifestDigest(ImageReference image) {
    return manifestDigest(image, deadline());
  }

  /** As {@link #manifestDigest(ImageReference)}, within {@code deadline} (an image's timeout). */
  public Optional<String> manifestDigest(ImageReference image, Deadline deadline) {
    return new RegistrySession(transport).manifestDigest(repository(image), image.tag(), deadline);
  }

  /** The repository of {@code image} as the API addresses it, over HTTPS unless allowed. */
  public Repository repository(ImageReference image) {
    return Repository.of(image, transport.insecure());
  }

  /** A deadline for one call of a command. */
  public static Deadline deadline() {
    return Deadline.after(CALL_DEADLINE);
  }

  /** Whether the registry answers at all (any HTTP status counts), within seconds. */
  public boolean answers(ImageReference image) {
    // GET /v2/
    return transport.answers(
        URI.create(repository(image).scheme() + "://" + image.apiHost() + "/v2/"));
  }
}
