package io.imagefleet.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The distribution API calls that move images (append, phased, mirror), each a small named step
 * that reads like the protocol, with its HTTP line as a comment. Everything on the wire (auth,
 * redirects, retries, caps) is the project's one {@link RegistryTransport}. Every digest is checked
 * for its form before it goes into a URL, and manifests and configs fetched by digest are checked
 * against it.
 */
public final class RegistrySession {
  public static final String MANIFEST_TYPES =
      "application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json,"
          + " application/vnd.docker.distribution.manifest.list.v2+json,"
          + " application/vnd.docker.distribution.manifest.v2+json";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final RegistryTransport transport;

  public RegistrySession(RegistryTransport transport) {
    this.transport = transport;
  }

  /** A manifest's bytes, its media type and its digest. */
  public record Manifest(byte[] bytes, String mediaType, String digest) {}

  public Manifest getManifest(Repository repository, String reference, Deadline deadline) {
    return manifest(repository, reference, Set.of(200), deadline).orElseThrow();
  }

  /**
   * As {@link #getManifest}, empty when the registry has no such manifest (404): one request where
   * a HEAD and a GET would be two. Where manifest GETs are paced pulls (Docker Hub), a HEAD, which
   * costs none, asks first: an absent base waits for no pull.
   */
  public Optional<Manifest> findManifest(
      Repository repository, String reference, Deadline deadline) {
    if (transport.budgets().pacesManifests(repository.registry())
        && manifestDigest(repository, reference, deadline).isEmpty()) {
      return Optional.empty();
    }
    return manifest(repository, reference, Set.of(200, 404), deadline);
  }

  private Optional<Manifest> manifest(
      Repository repository, String reference, Set<Integer> expected, Deadline deadline) {
    String safe =
        reference.contains(":") ? Digests.require(reference, repository.registry()) : reference;
    // GET /v2/<name>/manifests/<reference>
    RegistryCall call =
        RegistryCall.of(
                "pull manifest " + reference + " of " + repository,
                "GET",
                repository.uri("manifests/" + safe),
                RegistryCall.Scope.pull(repository),
                expected)
            .withHeader("Accept", MANIFEST_TYPES);
    HttpResponse<byte[]> response =
        transport.send(call, BoundedBody.upTo(BoundedBody.MANIFEST), deadline);
    if (response.statusCode() == 404) {
      return Optional.empty();
    }
    byte[] bytes = response.body();
    Digests.verify(bytes, reference, call.action());
    String mediaType =
        Optional.ofNullable(readTree(bytes, call).path("mediaType").textValue())
            .orElse(response.headers().firstValue("Content-Type").orElse(""));
    return Optional.of(
        new Manifest(bytes, mediaType.replaceFirst(";.*", "").strip(), Digests.sha256(bytes)));
  }

  /**
   * The digest the registry serves a tag or digest by (a HEAD, which Docker Hub doesn't count);
   * empty when it has none, {@code ""} when it answered without naming one.
   */
  public Optional<String> manifestDigest(
      Repository repository, String reference, Deadline deadline) {
    boolean byDigest = reference.contains(":");
    String safe = byDigest ? Digests.require(reference, repository.registry()) : reference;
    String image = repository + (byDigest ? "@" : ":") + reference;
    // HEAD /v2/<name>/manifests/<reference>
    RegistryCall call =
        RegistryCall.of(
                "check " + image + " in the registry",
                "HEAD",
                repository.uri("manifests/" + safe),
                RegistryCall.Scope.pull(repository),
                Set.of(200, 404))
            .withHeader("Accept", MANIFEST_TYPES);
    HttpResponse<Void> response =
        transport.send(call, HttpResponse.BodyHandlers.discarding(), deadline);
    if (response.statusCode() == 404) {
      return Optional.empty();
    }
    Optional<String> digest = response.headers().firstValue("Docker-Content-Digest");
    return Optional.of(
        digest.isEmpty()
            ? ""
            : Digests.require(digest.get(), repository.registry() + " (" + image + ")"));
  }

  /** A small blob (an image config) in memory, checked against its digest. */
  public byte[] getBlob(Repository repository, String digest, Deadline deadline) {
    RegistryCall call = pullBlob(repository, digest);
    byte[] bytes = transport.send(call, BoundedBody.upTo(BoundedBody.CONFIG), deadline).body();
    if (!Digests.sha256(bytes).equals(digest)) {
      throw RegistryFailure.failed(call.action() + " failed: the bytes have another digest");
    }
    return bytes;
  }

  private static RegistryCall pullBlob(Repository repository, String digest) {
    // GET /v2/<name>/blobs/<digest>
    return RegistryCall.of(
        "pull blob " + digest + " from " + repository,
        "GET",
        repository.uri("blobs/" + Digests.require(digest, repository.registry())),
        RegistryCall.Scope.pull(repository),
        Set.of(200));
  }

  /** The blob as a stream, for passing on to another repository without touching disk. */
  public InputStream openBlob(Repository repository, String digest, Deadline deadline) {
    RegistryCall call = pullBlob(repository, digest);
    return transport.send(call, HttpResponse.BodyHandlers.ofInputStream(), deadline).body();
  }

  public boolean blobExists(Repository repository, String digest, Deadline deadline) {
    // HEAD /v2/<name>/blobs/<digest>
    RegistryCall call =
        RegistryCall.of(
            "check blob " + digest + " in " + repository,
            "HEAD",
            repository.uri("blobs/" + Digests.require(digest, repository.registry())),
            RegistryCall.Scope.push(repository),
            Set.of(200, 404));
    return transport.send(call, HttpResponse.BodyHandlers.discarding(), deadline).statusCode()
        == 200;
  }

  /** Mounts the blob from another repository of the same registry; else where to upload it. */
  public Optional<URI> mountBlob(
      Repository target, String digest, Repository from, Deadline deadline) {
    String safe = encode(Digests.require(digest, from.registry()));
    // POST /v2/<name>/blobs/uploads/?mount=<digest>&from=<repository>
    RegistryCall call =
        RegistryCall.of(
            "mount blob " + digest + " from " + from + " into " + target,
            "POST",
            target.uri("blobs/uploads/?mount=" + safe + "&from=" + encode(from.name())),
            new RegistryCall.Scope(target, "pull,push", Optional.of(from)),
            Set.of(201, 202));
    HttpResponse<Void> response =
        transport.send(call, HttpResponse.BodyHandlers.discarding(), deadline);
    return response.statusCode() == 201
        ? Optional.empty()
        : Optional.of(transport.sameOriginLocation(call, response));
  }

  /**
   * A small blob in one request (POST with {@code ?digest=}); a registry that doesn't take it that
   * way answers with an upload location, returned for a PUT.
   */
  public Optional<URI> postBlob(Repository target, String digest, byte[] bytes, Deadline deadline) {
    String safe = encode(Digests.require(digest, target.registry()));
    // POST /v2/<name>/blobs/uploads/?digest=<digest>   (Content-Length: <size>)
    RegistryCall call =
        new RegistryCall(
            "push blob " + digest + " to " + target,
            "POST",
            target.uri("blobs/uploads/?digest=" + safe),
            RegistryCall.Scope.push(target),
            Set.of(201, 202),
            Map.of("Content-Type", "application/octet-stream"),
            () -> HttpRequest.BodyPublishers.ofByteArray(bytes),
            true);
    HttpResponse<Void> response =
        transport.send(call, HttpResponse.BodyHandlers.discarding(), deadline);
    return response.statusCode() == 201
        ? Optional.empty()
        : Optional.of(transport.sameOriginLocation(call, response));
  }

  public URI startUpload(Repository target, String digest, Deadline deadline) {
    // POST /v2/<name>/blobs/uploads/
    RegistryCall call =
        RegistryCall.of(
            "push blob " + digest + " to " + target,
            "POST",
            target.uri("blobs/uploads/"),
            RegistryCall.Scope.push(target),
            Set.of(202));
    return transport.sameOriginLocation(
        call, transport.send(call, HttpResponse.BodyHandlers.discarding(), deadline));
  }

  /**
   * Whether {@code target} lets these credentials push: an upload is started and cancelled, so
   * nothing is written. Throws the registry's refusal.
   */
  public void requirePush(Repository target, Deadline deadline) {
    // POST /v2/<name>/blobs/uploads/
    RegistryCall start =
        RegistryCall.of(
            "start an upload to " + target,
            "POST",
            target.uri("blobs/uploads/"),
            RegistryCall.Scope.push(target),
            Set.of(202));
    URI upload =
        transport.sameOriginLocation(
            start, transport.send(start, HttpResponse.BodyHandlers.discarding(), deadline));
    // DELETE <upload location>
    RegistryCall cancel =
        RegistryCall.of(
            "cancel the upload to " + target,
            "DELETE",
            upload,
            RegistryCall.Scope.push(target),
            Set.of(200, 202, 204, 404, 405));
    transport.send(cancel, HttpResponse.BodyHandlers.discarding(), deadline);
  }

  /**
   * Finishes an upload with the whole blob in one request. {@code body} may be a stream that can be
   * read once: then this call is not retried here, and the caller starts over.
   */
  public void putBlob(
      Repository target,
      URI upload,
      String digest,
      Supplier<HttpRequest.BodyPublisher> body,
      boolean retryable,
      Deadline deadline) {
    String separator = upload.getQuery() == null ? "?" : "&";
    String safe = encode(Digests.require(digest, target.registry()));
    // PUT <upload location>?digest=<digest>   (Content-Length: <size>)
    RegistryCall call =
        new RegistryCall(
            "push blob " + digest + " to " + target,
            "PUT",
            URI.create(upload + separator + "digest=" + safe),
            RegistryCall.Scope.push(target),
            Set.of(201),
            Map.of("Content-Type", "application/octet-stream"),
            body,
            retryable);
    transport.send(call, HttpResponse.BodyHandlers.discarding(), deadline);
  }

  /** Puts the manifest under the tag and returns the digest the registry serves it by. */
  public String putManifest(
      Repository target, String tag, String mediaType, byte[] manifest, Deadline deadline) {
    String digest = Digests.sha256(manifest);
    // PUT /v2/<name>/manifests/<tag>
    RegistryCall call =
        new RegistryCall(
            "push manifest " + target + ":" + tag,
            "PUT",
            target.uri("manifests/" + tag),
            RegistryCall.Scope.push(target),
            Set.of(201),
            Map.of("Content-Type", mediaType),
            () -> HttpRequest.BodyPublishers.ofByteArray(manifest),
            true);
    HttpResponse<Void> response =
        transport.send(call, HttpResponse.BodyHandlers.discarding(), deadline);
    String served = response.headers().firstValue("Docker-Content-Digest").orElse(digest);
    if (!served.equals(digest)) {
      throw RegistryFailure.failed(
          call.action() + " failed: the registry serves it as " + served + ", not " + digest);
    }
    return digest;
  }

  private static JsonNode readTree(byte[] bytes, RegistryCall call) {
    try {
      return JSON.readTree(bytes);
    } catch (IOException e) {
      throw RegistryFailure.failed(call.action() + " failed: not JSON: " + e.getMessage());
    }
  }

  private static String encode(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }
}
