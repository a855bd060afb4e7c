package io.imagefleet.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.imagefleet.Origin;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The distribution calls retention makes on one repository: list its tags, read manifests and image
 * configs, delete a manifest by digest. Tags and digests the registry sends are data: only ones of
 * valid syntax are ever put into a URL.
 */
public final class RepositoryApi {
  /** Docker's tag grammar. */
  public static final Pattern TAG = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}");

  private static final Pattern NEXT = Pattern.compile("<([^>]*)>\\s*;\\s*rel=\"?next\"?");
  private static final int PAGE = 1000;
  private static final int MAX_PAGES = 10_000;
  private static final ObjectMapper JSON = new ObjectMapper();

  private final RegistryTransport transport;
  private final ImageReference image;
  private final Repository repository;

  public RepositoryApi(RegistryClient client, ImageReference repository) {
    this.transport = client.transport();
    this.image = repository;
    this.repository = client.repository(repository);
  }

  /** A manifest's bytes, media type and digest (the sha256 of the bytes). */
  public record Manifest(byte[] bytes, String mediaType, String digest) {}

  /** Every tag, following the {@code Link} header's next page (same origin only). */
  public List<String> tags() {
    List<String> tags = new ArrayList<>();
    String action = "list the tags of " + image.repositoryName();
    // GET /v2/<name>/tags/list?n=<page>
    URI uri = repository.uri("tags/list?n=" + PAGE);
    for (int page = 0; uri != null; page++) {
      if (page == MAX_PAGES) {
        throw failure(action, "more than 10,000 pages");
      }
      HttpResponse<byte[]> response = get(uri, action, BoundedBody.CONFIG);
      JsonNode list = json(response.body(), "the tag list of " + image.repositoryName());
      list.path("tags").forEach(tag -> tags.add(tag.asText()));
      uri = next(uri, response).orElse(null);
    }
    return tags;
  }

  /** GET /v2/<name>/manifests/<tag or digest>; checks the bytes against a digest reference. */
  public Manifest manifest(String reference) {
    String action = "read manifest " + reference + " of " + image.repositoryName();
    HttpResponse<byte[]> response =
        get(repository.uri("manifests/" + safeReference(reference)), action, BoundedBody.MANIFEST);
    byte[] bytes = response.body();
    Digests.verify(bytes, reference, action);
    String mediaType =
        Optional.ofNullable(json(bytes, action).path("mediaType").textValue())
            .orElse(response.headers().firstValue("Content-Type").orElse(""))
            .replaceFirst(";.*", "")
            .strip();
    return new Manifest(bytes, mediaType, Digests.sha256(bytes));
  }

  /** GET /v2/<name>/blobs/<digest>, parsed as JSON (an image config). */
  public JsonNode jsonBlob(String digest) {
    String action = "read blob " + digest + " of " + image.repositoryName();
    String safe = Digests.require(digest, image.registry());
    return json(get(repository.uri("blobs/" + safe), action, BoundedBody.CONFIG).body(), action);
  }

  /** DELETE /v2/<name>/manifests/<digest>; one that is already gone counts as deleted. */
  public void deleteManifest(String digest) {
    String action = "delete manifest " + digest + " of " + image.repositoryName();
    RegistryCall call =
        RegistryCall.of(
            action,
            "DELETE",
            repository.uri("manifests/" + Digests.require(digest, image.registry())),
            RegistryCall.Scope.of(repository, "pull,delete"),
            Set.of(200, 202, 404, 405));
    HttpResponse<byte[]> response =
        transport.send(call, BoundedBody.upTo(BoundedBody.SMALL), RegistryClient.deadline());
    if (response.statusCode() == 405) {
      throw failure(
          action,
          "HTTP 405: the registry doesn't allow deletes (distribution: storage.delete.enabled)");
    }
  }

  private HttpResponse<byte[]> get(URI uri, String action, int cap) {
    RegistryCall call =
        new RegistryCall(
            action,
            "GET",
            uri,
            RegistryCall.Scope.pull(repository),
            Set.of(200),
            Map.of("Accept", RegistrySession.MANIFEST_TYPES),
            HttpRequest.BodyPublishers::noBody,
            true);
    return transport.send(call, BoundedBody.upTo(cap), RegistryClient.deadline());
  }

  private Optional<URI> next(URI current, HttpResponse<?> response) {
    Optional<String> link = response.headers().firstValue("Link");
    if (link.isEmpty()) {
      return Optional.empty();
    }
    Matcher m = NEXT.matcher(link.get());
    if (!m.find()) {
      return Optional.empty();
    }
    URI next;
    try {
      next = current.resolve(m.group(1));
    } catch (IllegalArgumentException e) {
      throw failure("list the tags of " + image.repositoryName(), "unusable Link header");
    }
    if (!Origin.same(next, current) || !next.getPath().equals(current.getPath())) {
      throw failure(
          "list the tags of " + image.repositoryName(),
          "the Link header points elsewhere (" + next.getHost() + next.getPath() + ")");
    }
    return Optional.of(next);
  }

  private String safeReference(String reference) {
    if (TAG.matcher(reference).matches()) {
      return reference;
    }
    return Digests.require(reference, image.registry());
  }

  private static JsonNode json(byte[] bytes, String what) {
    try {
      return JSON.readTree(bytes);
    } catch (IOException e) {
      throw RegistryFailure.failed(what + " is not JSON; is it a registry?");
    }
  }

  private static RegistryFailure failure(String action, String problem) {
    return RegistryFailure.failed(action + " failed: " + problem);
  }
}
