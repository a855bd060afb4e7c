package io.imagefleet.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.imagefleet.ExitCode;
import io.imagefleet.ImagefleetException;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
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

  public static final Pattern DIGEST = Pattern.compile("sha256:[0-9a-f]{64}");
  private static final Pattern NEXT = Pattern.compile("<([^>]*)>\\s*;\\s*rel=\"?next\"?");
  private static final int PAGE = 1000;
  private static final int MAX_PAGES = 10_000;
  private static final ObjectMapper JSON = new ObjectMapper();

  private final RegistryClient client;
  private final ImageReference repository;

  public RepositoryApi(RegistryClient client, ImageReference repository) {
    this.client = client;
    this.repository = repository;
  }

  /** A manifest's bytes, media type and digest (the sha256 of the bytes). */
  public record Manifest(byte[] bytes, String mediaType, String digest) {}

  /** Every tag, following the {@code Link} header's next page (same origin only). */
  public List<String> tags() {
    List<String> tags = new ArrayList<>();
    // GET /v2/<name>/tags/list?n=<page>
    URI uri = uri("tags/list?n=" + PAGE);
    for (int page = 0; uri != null; page++) {
      if (page == MAX_PAGES) {
        throw failure("list the tags of " + repository.repositoryName(), "more than 10,000 pages");
      }
      HttpResponse<byte[]> response = get(uri, "list the tags of " + repository.repositoryName());
      JsonNode list = json(response.body(), "the tag list of " + repository.repositoryName());
      list.path("tags").forEach(tag -> tags.add(tag.asText()));
      uri = next(uri, response).orElse(null);
    }
    return tags;
  }

  /** GET /v2/<name>/manifests/<tag or digest>; checks the bytes against a digest reference. */
  public Manifest manifest(String reference) {
    String action = "read manifest " + reference + " of " + repository.repositoryName();
    HttpResponse<byte[]> response = get(uri("manifests/" + safeReference(reference)), action);
    byte[] bytes = response.body();
    String digest = sha256(bytes);
    if (reference.startsWith("sha256:") && !reference.equals(digest)) {
      throw failure(action, "the registry sent bytes whose digest is " + digest);
    }
    String mediaType =
        Optional.ofNullable(json(bytes, action).path("mediaType").textValue())
            .orElse(response.headers().firstValue("Content-Type").orElse(""))
            .replaceFirst(";.*", "")
            .strip();
    return new Manifest(bytes, mediaType, digest);
  }

  /** GET /v2/<name>/blobs/<digest>, parsed as JSON (an image config). */
  public JsonNode jsonBlob(String digest) {
    String action = "read blob " + digest + " of " + repository.repositoryName();
    return json(get(uri("blobs/" + safeDigest(digest)), action).body(), action);
  }

  /** DELETE /v2/<name>/manifests/<digest>; one that is already gone counts as deleted. */
  public void deleteManifest(String digest) {
    String action = "delete manifest " + digest + " of " + repository.repositoryName();
    HttpResponse<Void> response =
        client.exchange(
            "DELETE",
            uri("manifests/" + safeDigest(digest)),
            repository,
            "pull,delete",
            action,
            HttpResponse.BodyHandlers.discarding());
    int status = response.statusCode();
    if (status == 405) {
      throw failure(
          action,
          "HTTP 405: the registry doesn't allow deletes (distribution: storage.delete.enabled)");
    }
    if (status != 202 && status != 200 && status != 404) {
      throw failure(action, "HTTP " + status + RegistryClient.authHint(status));
    }
  }

  private HttpResponse<byte[]> get(URI uri, String action) {
    HttpResponse<byte[]> response =
        client.exchange(
            "GET", uri, repository, "pull", action, HttpResponse.BodyHandlers.ofByteArray());
    if (response.statusCode() != 200) {
      throw failure(
          action, "HTTP " + response.statusCode() + RegistryClient.authHint(response.statusCode()));
    }
    return response;
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
      throw failure("list the tags of " + repository.repositoryName(), "unusable Link header");
    }
    if (!RegistryHttp.sameOrigin(next, current) || !next.getPath().equals(current.getPath())) {
      throw failure(
          "list the tags of " + repository.repositoryName(),
          "the Link header points elsewhere (" + next.getHost() + next.getPath() + ")");
    }
    return Optional.of(next);
  }

  private URI uri(String path) {
    return URI.create(client.base(repository) + "/v2/" + repository.repository() + "/" + path);
  }

  private static String safeReference(String reference) {
    if (TAG.matcher(reference).matches()) {
      return reference;
    }
    return safeDigest(reference);
  }

  private static String safeDigest(String digest) {
    if (!DIGEST.matcher(digest).matches()) {
      throw new ImagefleetException(
          ExitCode.UNREACHABLE,
          "the registry named " + io.imagefleet.InputText.quote(digest) + ", which is no digest");
    }
    return digest;
  }

  static String sha256(byte[] bytes) {
    try {
      return "sha256:"
          + java.util.HexFormat.of()
              .formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static JsonNode json(byte[] bytes, String what) {
    try {
      return JSON.readTree(bytes);
    } catch (IOException e) {
      throw new ImagefleetException(ExitCode.UNREACHABLE, what + " is not JSON; is it a registry?");
    }
  }

  private static ImagefleetException failure(String action, String problem) {
    return new ImagefleetException(ExitCode.UNREACHABLE, action + " failed: " + problem);
  }
}
