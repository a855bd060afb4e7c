package io.imagefleet.registry;

import io.imagefleet.ExitCode;
import io.imagefleet.ImagefleetException;
import java.net.URI;
import java.net.http.HttpResponse;
import java.util.Optional;

/**
 * A new tag for a manifest the repository already holds: the manifest's bytes fetched by digest and
 * put under the tag, so no layer moves. The registry must then serve the same digest for the tag.
 */
public final class ManifestCopy {
  private final RegistryClient client;

  public ManifestCopy(RegistryClient client) {
    this.client = client;
  }

  /**
   * Tags {@code digest} of {@code target}'s repository as {@code target}; empty when the repository
   * no longer has that digest. Throws when the registry refuses or serves another digest.
   */
  public Optional<String> copy(String digest, ImageReference target) {
    String from = target.repositoryName() + "@" + digest;
    String fetch = "fetch manifest " + from;
    // GET /v2/<name>/manifests/<digest>
    HttpResponse<byte[]> manifest =
        client.exchange(
            "GET",
            uri(target, digest),
            target,
            "pull,push",
            fetch,
            HttpResponse.BodyHandlers.ofByteArray());
    if (manifest.statusCode() == 404) {
      return Optional.empty();
    }
    require(manifest, 200, fetch);
    String type =
        manifest.headers().firstValue("Content-Type").orElseThrow(() -> failed(fetch, "no type"));
    String put = "put manifest " + digest + " as " + target;
    // PUT /v2/<name>/manifests/<tag>
    HttpResponse<Void> tagged =
        client.exchange(
            "PUT",
            uri(target, target.tag()),
            target,
            "pull,push",
            put,
            Optional.of(new RegistryHttp.Payload(manifest.body(), type)),
            HttpResponse.BodyHandlers.discarding());
    require(tagged, 201, put);
    String served = tagged.headers().firstValue("Docker-Content-Digest").orElse("");
    if (!served.equals(digest)) {
      throw failed(put, "the registry answered digest '" + served + "'");
    }
    return Optional.of(served);
  }

  private URI uri(ImageReference image, String reference) {
    return URI.create(client.base(image) + "/v2/" + image.repository() + "/manifests/" + reference);
  }

  private static void require(HttpResponse<?> response, int expected, String action) {
    if (response.statusCode() != expected) {
      throw failed(
          action, "HTTP " + response.statusCode() + RegistryClient.authHint(response.statusCode()));
    }
  }

  private static ImagefleetException failed(String action, String why) {
    return new ImagefleetException(ExitCode.UNREACHABLE, action + " failed: " + why);
  }
}
