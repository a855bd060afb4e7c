package io.imagefleet.registry;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A new tag for a manifest the repository already holds: the manifest's bytes fetched by digest
 * (and checked against it) and put under the tag, so no layer moves. The registry must then serve
 * the same digest for the tag.
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
    Repository repository = client.repository(target);
    String from = target.repositoryName() + "@" + digest;
    String fetch = "fetch manifest " + from;
    Deadline deadline = RegistryClient.deadline();
    // GET /v2/<name>/manifests/<digest>
    RegistryCall get =
        RegistryCall.of(
                fetch,
                "GET",
                repository.uri("manifests/" + Digests.require(digest, "the --history manifest")),
                RegistryCall.Scope.push(repository),
                Set.of(200, 404))
            .withHeader("Accept", RegistrySession.MANIFEST_TYPES);
    HttpResponse<byte[]> manifest =
        client.transport().send(get, BoundedBody.upTo(BoundedBody.MANIFEST), deadline);
    if (manifest.statusCode() == 404) {
      return Optional.empty();
    }
    Digests.verify(manifest.body(), digest, fetch);
    String type =
        manifest
            .headers()
            .firstValue("Content-Type")
            .orElseThrow(() -> RegistryFailure.failed(fetch + " failed: no type"));
    String put = "put manifest " + digest + " as " + target;
    // PUT /v2/<name>/manifests/<tag>
    RegistryCall tag =
        new RegistryCall(
            put,
            "PUT",
            repository.uri("manifests/" + target.tag()),
            RegistryCall.Scope.push(repository),
            Set.of(201),
            Map.of("Content-Type", type),
            () -> HttpRequest.BodyPublishers.ofByteArray(manifest.body()),
            true);
    HttpResponse<Void> tagged =
        client.transport().send(tag, HttpResponse.BodyHandlers.discarding(), deadline);
    String served = tagged.headers().firstValue("Docker-Content-Digest").orElse("");
    if (!served.equals(digest)) {
      throw RegistryFailure.failed(put + " failed: the registry answered digest '" + served + "'");
    }
    return Optional.of(served);
  }
}
