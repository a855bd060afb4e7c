package io.imagefleet.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The registry calls of {@code build}'s skip and verify, {@code check} and {@code retain}: whether
 * a tag exists (and its digest), and the {@link RegistryTransport} they and every other registry
 * call share.
 */
public final class RegistryClient {
  /** How long one call may take, its retries included. */
  static final Duration CALL_DEADLINE = Duration.ofMinutes(5);

  private static final ObjectMapper JSON = new ObjectMapper();

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

  /**
   * A tag the registry has: its digest, and for a platform check the platforms asked for that it
   * has and that it lacks.
   */
  public record Existing(String digest, List<String> platforms, List<String> missing) {
    public Existing {
      platforms = List.copyOf(platforms);
      missing = List.copyOf(missing);
    }
  }

  /**
   * Whether the registry has the tag; for two or more {@code wanted} platforms, also which of them
   * it serves ({@link #platformsOf}). One platform is one HEAD, as before there were indexes.
   */
  public Optional<Existing> existing(
      ImageReference image, List<Platform> wanted, Deadline deadline) {
    if (wanted.size() < 2) {
      return manifestDigest(image, deadline).map(d -> new Existing(d, List.of(), List.of()));
    }
    return platformsOf(image, wanted, deadline);
  }

  /**
   * The tag's digest and which of {@code wanted} it serves: an index's children by their platform,
   * a single image by its config's. Empty when the registry doesn't have the tag.
   */
  public Optional<Existing> platformsOf(
      ImageReference image, List<Platform> wanted, Deadline deadline) {
    RegistrySession session = new RegistrySession(transport);
    Repository repository = repository(image);
    if (session.manifestDigest(repository, image.tag(), deadline).isEmpty()) {
      return Optional.empty();
    }
    RegistrySession.Manifest manifest = session.getManifest(repository, image.tag(), deadline);
    JsonNode root = read(manifest.bytes());
    List<JsonNode> served = new ArrayList<>();
    if (root.has("manifests")) {
      root.path("manifests").forEach(child -> served.add(child.path("platform")));
    } else {
      String config = root.path("config").path("digest").asText();
      served.add(read(session.getBlob(repository, config, deadline)));
    }
    List<String> has = new ArrayList<>();
    List<String> lacks = new ArrayList<>();
    for (Platform platform : wanted) {
      boolean found =
          served.stream()
              .anyMatch(
                  p ->
                      platform.matches(
                          p.path("os").asText(),
                          p.path("architecture").asText(),
                          p.path("variant").asText()));
      (found ? has : lacks).add(platform.toString());
    }
    return Optional.of(new Existing(manifest.digest(), has, lacks));
  }

  /**
   * {@code base}'s image for {@code platform}, pinned by digest ({@code name@sha256:…}): an index's
   * child by its platform, or the image itself when its config says that platform. Empty when the
   * tag is missing or serves no such platform.
   */
  public Optional<String> pinned(String base, Platform platform, Deadline deadline) {
    return Optional.ofNullable(pins(base, List.of(platform), deadline).get(platform));
  }

  /**
   * {@link #pinned} for each of {@code wanted} at once, from one read of {@code base}: the
   * platforms it has, each pinned by digest (an index is read once for all its children).
   */
  public Map<Platform, String> pins(String base, List<Platform> wanted, Deadline deadline) {
    BaseName name = BaseName.parse(base);
    RegistrySession session = new RegistrySession(transport);
    Repository repository = Repository.of(name.image(), transport.insecure());
    Optional<RegistrySession.Manifest> found =
        session.findManifest(repository, name.reference(), deadline);
    Map<Platform, String> pins = new LinkedHashMap<>();
    if (found.isEmpty()) {
      return pins;
    }
    RegistrySession.Manifest manifest = found.get();
    JsonNode root = read(manifest.bytes());
    String pin = name.image().repositoryName() + "@";
    if (root.has("manifests")) {
      for (Platform platform : wanted) {
        platform
            .childOf(root)
            .ifPresent(
                child ->
                    pins.put(platform, pin + Digests.require(child.path("digest").asText(), base)));
      }
      return pins;
    }
    String config = Digests.require(root.path("config").path("digest").asText(), base);
    JsonNode fields = read(session.getBlob(repository, config, deadline));
    for (Platform platform : wanted) {
      if (platform.matches(
          fields.path("os").asText(),
          fields.path("architecture").asText(),
          fields.path("variant").asText())) {
        pins.put(platform, pin + manifest.digest());
      }
    }
    return pins;
  }

  private static JsonNode read(byte[] bytes) {
    try {
      return JSON.readTree(bytes);
    } catch (IOException e) {
      throw RegistryFailure.failed("read registry JSON failed: " + e.getMessage());
    }
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
