package io.imagefleet.retain;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.imagefleet.ImagefleetException;
import io.imagefleet.InputText;
import io.imagefleet.PeerFailure;
import io.imagefleet.registry.RepositoryApi;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Reads a repository for retention: every tag's manifest digest, and every manifest those reach
 * (index children included) with its blobs and creation time. Manifests are read once per digest,
 * {@code concurrency} tags at a time. A tag of invalid syntax is skipped and named, never used.
 */
final class RepositoryReader {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final RepositoryApi api;
  private final int concurrency;
  private final PrintWriter err;
  private final Map<String, ManifestNode> nodes = new ConcurrentHashMap<>();

  RepositoryReader(RepositoryApi api, int concurrency, PrintWriter err) {
    this.api = api;
    this.concurrency = concurrency;
    this.err = err;
  }

  /** What the repository holds: digest per tag (tag order kept) and the manifests reached. */
  record Contents(Map<String, String> digestByTag, Map<String, ManifestNode> nodes) {}

  Contents read() {
    List<String> tags = new ArrayList<>();
    for (String tag : api.tags()) {
      if (RepositoryApi.TAG.matcher(tag).matches()) {
        tags.add(tag);
      } else {
        err.println(
            "imagefleet: warning: skipped tag " + InputText.quote(tag) + ": not a valid tag");
      }
    }
    ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, concurrency));
    try {
      Map<String, Future<String>> digests = new LinkedHashMap<>();
      tags.forEach(tag -> digests.put(tag, pool.submit(() -> readTag(tag))));
      Map<String, String> digestByTag = new LinkedHashMap<>();
      for (Map.Entry<String, Future<String>> entry : digests.entrySet()) {
        digestByTag.put(entry.getKey(), await(entry.getValue()));
      }
      return new Contents(digestByTag, Map.copyOf(nodes));
    } finally {
      pool.shutdownNow();
    }
  }

  private String readTag(String tag) {
    RepositoryApi.Manifest manifest = api.manifest(tag);
    node(manifest);
    return manifest.digest();
  }

  private ManifestNode node(RepositoryApi.Manifest manifest) {
    ManifestNode known = nodes.get(manifest.digest());
    if (known != null) {
      return known;
    }
    JsonNode json = parse(manifest);
    List<String> children = new ArrayList<>();
    Map<String, Long> blobs = new LinkedHashMap<>();
    Optional<Instant> created = Optional.empty();
    Optional<String> base = Optional.empty();
    if (json.has("manifests")) {
      for (JsonNode child : json.path("manifests")) {
        String digest = child.path("digest").asText();
        children.add(digest);
        Optional<Instant> childCreated = node(api.manifest(digest)).created();
        created = newest(created, childCreated);
      }
    } else {
      JsonNode config = json.path("config");
      blobs.put(config.path("digest").asText(), config.path("size").asLong());
      json.path("layers")
          .forEach(l -> blobs.put(l.path("digest").asText(), l.path("size").asLong()));
      JsonNode configJson = api.jsonBlob(config.path("digest").asText());
      created = createdOf(configJson);
      base = baseOf(configJson);
    }
    ManifestNode node =
        new ManifestNode(
            manifest.digest(),
            manifest.mediaType(),
            manifest.bytes().length,
            children,
            blobs,
            created,
            base);
    nodes.put(node.digest(), node);
    return node;
  }

  private static Optional<Instant> newest(Optional<Instant> a, Optional<Instant> b) {
    if (a.isEmpty()) {
      return b;
    }
    return b.filter(x -> x.isAfter(a.get())).or(() -> a);
  }

  /** The base manifest digest the config's label names, when it names one of digest form. */
  static Optional<String> baseOf(JsonNode config) {
    String base =
        config
            .path("config")
            .path("Labels")
            .path("org.opencontainers.image.base.digest")
            .asText("");
    return BASE_DIGEST.matcher(base).matches() ? Optional.of(base) : Optional.empty();
  }

  private static final java.util.regex.Pattern BASE_DIGEST =
      java.util.regex.Pattern.compile("sha256:[0-9a-f]{64}");

  /** The config's {@code created}; an attestation or artifact config may have none. */
  static Optional<Instant> createdOf(JsonNode config) {
    String created = config.path("created").asText("");
    try {
      return created.isEmpty() ? Optional.empty() : Optional.of(Instant.parse(created));
    } catch (DateTimeParseException e) {
      return Optional.empty();
    }
  }

  private static JsonNode parse(RepositoryApi.Manifest manifest) {
    try {
      return JSON.readTree(manifest.bytes());
    } catch (IOException e) {
      throw new PeerFailure("manifest " + manifest.digest() + " is not JSON");
    }
  }

  private static String await(Future<String> future) {
    try {
      return future.get(10, TimeUnit.MINUTES);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof ImagefleetException failure) {
        throw failure;
      }
      throw new PeerFailure("reading the repository failed: " + e.getCause(), e.getCause());
    } catch (TimeoutException e) {
      throw new PeerFailure("reading a manifest took over 10 min; is the registry up?");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new PeerFailure("reading the repository: interrupted");
    }
  }
}
