package io.imagefleet.append;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.imagefleet.Backoff;
import io.imagefleet.docker.StepFailure;
import io.imagefleet.registry.Credentials;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The distribution API calls append makes, each a small named step that reads like the protocol,
 * with its HTTP line as a comment. Shared by all workers (one {@link RegistryExchange}: one HTTP
 * client, tokens cached per registry and scope). Retries 5xx, 429 and broken connections with
 * backoff and turns any other answer into a {@link StepFailure} naming the action and the object.
 */
final class RegistrySession {
  static final String MANIFEST_TYPES =
      "application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json,"
          + " application/vnd.docker.distribution.manifest.list.v2+json,"
          + " application/vnd.docker.distribution.manifest.v2+json";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final RegistryExchange exchange;
  private final int attempts;
  private final Duration backoff;

  RegistrySession(Credentials credentials, int attempts, Duration backoff) {
    this.exchange = new RegistryExchange(credentials);
    this.attempts = Math.max(1, attempts);
    this.backoff = backoff;
  }

  /** A manifest's bytes, its media type and its digest. */
  record Manifest(byte[] bytes, String mediaType, String digest) {}

  Manifest getManifest(Repository repository, String reference, Deadline deadline) {
    // GET /v2/<name>/manifests/<reference>
    RegistryCall call =
        new RegistryCall(
            "pull manifest " + reference + " of " + repository,
            "GET",
            repository.uri("manifests/" + reference),
            RegistryCall.Scope.pull(repository),
            Set.of(200),
            Map.of("Accept", MANIFEST_TYPES),
            HttpRequest.BodyPublishers::noBody,
            true);
    HttpResponse<byte[]> response = send(call, HttpResponse.BodyHandlers.ofByteArray(), deadline);
    byte[] bytes = response.body();
    String digest = Digests.sha256(bytes);
    if (reference.startsWith("sha256:") && !reference.equals(digest)) {
      throw new StepFailure(
          call.action() + " failed: the registry sent bytes whose digest is " + digest, false);
    }
    String mediaType =
        Optional.ofNullable(readTree(bytes, call).path("mediaType").textValue())
            .orElse(response.headers().firstValue("Content-Type").orElse(""));
    return new Manifest(bytes, mediaType.replaceFirst(";.*", "").strip(), digest);
  }

  byte[] getBlob(Repository repository, String digest, Deadline deadline) {
    RegistryCall call = pullBlob(repository, digest);
    byte[] bytes = send(call, HttpResponse.BodyHandlers.ofByteArray(), deadline).body();
    if (!Digests.sha256(bytes).equals(digest)) {
      throw new StepFailure(call.action() + " failed: the bytes have another digest", false);
    }
    return bytes;
  }

  private static RegistryCall pullBlob(Repository repository, String digest) {
    // GET /v2/<name>/blobs/<digest>
    return new RegistryCall(
        "pull blob " + digest + " from " + repository,
        "GET",
        repository.uri("blobs/" + digest),
        RegistryCall.Scope.pull(repository),
        Set.of(200),
        Map.of(),
        HttpRequest.BodyPublishers::noBody,
        true);
  }

  /** The blob as a stream, for passing on to another repository without touching disk. */
  InputStream openBlob(Repository repository, String digest, Deadline deadline) {
    RegistryCall call = pullBlob(repository, digest);
    return send(call, HttpResponse.BodyHandlers.ofInputStream(), deadline).body();
  }

  boolean blobExists(Repository repository, String digest, Deadline deadline) {
    // HEAD /v2/<name>/blobs/<digest>
    RegistryCall call =
        new RegistryCall(
            "check blob " + digest + " in " + repository,
            "HEAD",
            repository.uri("blobs/" + digest),
            RegistryCall.Scope.push(repository),
            Set.of(200, 404),
            Map.of(),
            HttpRequest.BodyPublishers::noBody,
            true);
    return send(call, HttpResponse.BodyHandlers.discarding(), deadline).statusCode() == 200;
  }

  /** Mounts the blob from another repository of the same registry; else where to upload it. */
  Optional<URI> mountBlob(Repository target, String digest, Repository from, Deadline deadline) {
    // POST /v2/<name>/blobs/uploads/?mount=<digest>&from=<repository>
    RegistryCall call =
        new RegistryCall(
            "mount blob " + digest + " from " + from + " into " + target,
            "POST",
            target.uri("blobs/uploads/?mount=" + digest + "&from=" + from.name()),
            new RegistryCall.Scope(target, true, Optional.of(from)),
            Set.of(201, 202),
            Map.of(),
            HttpRequest.BodyPublishers::noBody,
            true);
    HttpResponse<Void> response = send(call, HttpResponse.BodyHandlers.discarding(), deadline);
    return response.statusCode() == 201 ? Optional.empty() : Optional.of(location(call, response));
  }

  URI startUpload(Repository target, String digest, Deadline deadline) {
    // POST /v2/<name>/blobs/uploads/
    RegistryCall call =
        new RegistryCall(
            "push blob " + digest + " to " + target,
            "POST",
            target.uri("blobs/uploads/"),
            RegistryCall.Scope.push(target),
            Set.of(202),
            Map.of(),
            HttpRequest.BodyPublishers::noBody,
            true);
    return location(call, send(call, HttpResponse.BodyHandlers.discarding(), deadline));
  }

  /**
   * Finishes an upload with the whole blob in one request. {@code body} may be a stream that can be
   * read once: then this call is not retried here, and the caller starts over.
   */
  void putBlob(
      Repository target,
      URI upload,
      String digest,
      Supplier<HttpRequest.BodyPublisher> body,
      boolean retryable,
      Deadline deadline) {
    // PUT <upload location>?digest=<digest>   (Content-Length: <size>)
    String separator = upload.getQuery() == null ? "?" : "&";
    RegistryCall call =
        new RegistryCall(
            "push blob " + digest + " to " + target,
            "PUT",
            URI.create(upload + separator + "digest=" + encode(digest)),
            RegistryCall.Scope.push(target),
            Set.of(201),
            Map.of("Content-Type", "application/octet-stream"),
            body,
            retryable);
    send(call, HttpResponse.BodyHandlers.discarding(), deadline);
  }

  /** Puts the manifest under the tag and returns the digest the registry serves it by. */
  String putManifest(
      Repository target, String tag, String mediaType, byte[] manifest, Deadline deadline) {
    // PUT /v2/<name>/manifests/<tag>
    String digest = Digests.sha256(manifest);
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
    HttpResponse<Void> response = send(call, HttpResponse.BodyHandlers.discarding(), deadline);
    String served = response.headers().firstValue("Docker-Content-Digest").orElse(digest);
    if (!served.equals(digest)) {
      throw new StepFailure(
          call.action() + " failed: the registry serves it as " + served + ", not " + digest,
          false);
    }
    return digest;
  }

  private <T> HttpResponse<T> send(
      RegistryCall call, HttpResponse.BodyHandler<T> handler, Deadline deadline) {
    String problem = "";
    for (int attempt = 1; attempt <= attempts; attempt++) {
      try {
        HttpResponse<T> response = exchange.exchange(call, handler, deadline);
        int status = response.statusCode();
        if (call.accepted().contains(status)) {
          return response;
        }
        String detail = RegistryExchange.errorDetail(response);
        if (status < 500 && status != 429 || !call.retryable()) {
          throw new StepFailure(
              call.action()
                  + " failed: HTTP "
                  + status
                  + detail
                  + RegistryExchange.authHint(status),
              false);
        }
        problem = "HTTP " + status + detail;
      } catch (ConnectException e) {
        throw StepFailure.unreachable(
            call.action() + " failed: connection refused by " + call.uri().getAuthority());
      } catch (IOException e) {
        problem = RegistryExchange.describe(e);
        if (!call.retryable()) {
          throw new StepFailure(call.action() + " failed: " + problem, false);
        }
      }
      if (attempt < attempts && !deadline.passed()) {
        Backoff.pause(deadline.bound(Backoff.delay(backoff, attempt)));
      }
    }
    throw new StepFailure(
        call.action() + " failed after " + attempts + " attempts (last: " + problem + ")", false);
  }

  private static URI location(RegistryCall call, HttpResponse<?> response) {
    String location =
        response
            .headers()
            .firstValue("Location")
            .orElseThrow(
                () -> new StepFailure(call.action() + " failed: no upload Location", false));
    URI resolved = call.uri().resolve(location);
    if (!resolved.getAuthority().equals(call.uri().getAuthority())) {
      throw new StepFailure(
          call.action() + " failed: upload location on another host (" + resolved.getHost() + ")",
          false);
    }
    return resolved;
  }

  private static JsonNode readTree(byte[] bytes, RegistryCall call) {
    try {
      return JSON.readTree(bytes);
    } catch (IOException e) {
      throw new StepFailure(call.action() + " failed: not JSON: " + e.getMessage(), false);
    }
  }

  private static String encode(String value) {
    return RegistryAuth.encode(value);
  }
}
