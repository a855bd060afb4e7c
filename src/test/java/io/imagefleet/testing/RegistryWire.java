package io.imagefleet.testing;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;

/**
 * Raw distribution API calls for tests that arrange a registry's content without a daemon: copy a
 * manifest to other tags, put a manifest or blob, and (for delete-enabled registries) start one.
 */
public final class RegistryWire {
  static final String ACCEPT =
      "application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json,"
          + " application/vnd.docker.distribution.manifest.list.v2+json,"
          + " application/vnd.docker.distribution.manifest.v2+json";
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();

  private final String host;

  public RegistryWire(String host) {
    this.host = host;
  }

  /** A manifest's bytes and media type. */
  public record Manifest(byte[] bytes, String mediaType) {
    public String digest() {
      return sha256(bytes);
    }
  }

  public Manifest manifest(String name, String reference) throws IOException {
    // GET /v2/<name>/manifests/<reference>
    HttpResponse<byte[]> response =
        send(
            HttpRequest.newBuilder(uri(name, "manifests/" + reference)).header("Accept", ACCEPT),
            HttpResponse.BodyHandlers.ofByteArray());
    if (response.statusCode() != 200) {
      throw new IOException(
          "GET manifest " + name + ":" + reference + ": " + response.statusCode());
    }
    String type = response.headers().firstValue("Content-Type").orElseThrow();
    return new Manifest(response.body(), type);
  }

  /** PUT /v2/<name>/manifests/<reference>; returns the digest. */
  public String putManifest(String name, String reference, Manifest manifest) throws IOException {
    HttpResponse<String> response =
        send(
            HttpRequest.newBuilder(uri(name, "manifests/" + reference))
                .header("Content-Type", manifest.mediaType())
                .PUT(HttpRequest.BodyPublishers.ofByteArray(manifest.bytes())),
            HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 201) {
      throw new IOException(
          "PUT manifest "
              + name
              + ":"
              + reference
              + ": "
              + response.statusCode()
              + " "
              + response.body());
    }
    return manifest.digest();
  }

  /** Monolithic upload: POST /v2/<name>/blobs/uploads/ then PUT <location>?digest=… */
  public String putBlob(String name, byte[] bytes) throws IOException {
    HttpResponse<Void> start =
        send(
            HttpRequest.newBuilder(uri(name, "blobs/uploads/"))
                .POST(HttpRequest.BodyPublishers.noBody()),
            HttpResponse.BodyHandlers.discarding());
    String location = start.headers().firstValue("Location").orElseThrow();
    URI upload = URI.create("http://" + host).resolve(location);
    String digest = sha256(bytes);
    String separator = upload.toString().contains("?") ? "&" : "?";
    HttpResponse<String> put =
        send(
            HttpRequest.newBuilder(URI.create(upload + separator + "digest=" + digest))
                .header("Content-Type", "application/octet-stream")
                .PUT(HttpRequest.BodyPublishers.ofByteArray(bytes)),
            HttpResponse.BodyHandlers.ofString());
    if (put.statusCode() != 201) {
      throw new IOException("PUT blob " + digest + ": " + put.statusCode() + " " + put.body());
    }
    return digest;
  }

  /** HEAD /v2/<name>/manifests/<reference>: the status. */
  public int headManifest(String name, String reference) throws IOException {
    return send(
            HttpRequest.newBuilder(uri(name, "manifests/" + reference))
                .header("Accept", ACCEPT)
                .method("HEAD", HttpRequest.BodyPublishers.noBody()),
            HttpResponse.BodyHandlers.discarding())
        .statusCode();
  }

  /** GET /v2/<name>/blobs/<digest>: the bytes. */
  public byte[] blob(String name, String digest) throws IOException {
    HttpResponse<byte[]> response =
        send(
            HttpRequest.newBuilder(uri(name, "blobs/" + digest)),
            HttpResponse.BodyHandlers.ofByteArray());
    if (response.statusCode() != 200) {
      throw new IOException("GET blob " + name + "@" + digest + ": " + response.statusCode());
    }
    return response.body();
  }

  /** HEAD /v2/<name>/blobs/<digest>: the status. */
  public int headBlob(String name, String digest) throws IOException {
    return send(
            HttpRequest.newBuilder(uri(name, "blobs/" + digest))
                .method("HEAD", HttpRequest.BodyPublishers.noBody()),
            HttpResponse.BodyHandlers.discarding())
        .statusCode();
  }

  /**
   * DELETE /v2/<name>/manifests/<digest>: the manifest and every tag naming it (delete-enabled
   * registries, such as the one .ci/run starts).
   */
  public void deleteManifest(String name, String digest) throws IOException {
    HttpResponse<String> response =
        send(
            HttpRequest.newBuilder(uri(name, "manifests/" + digest)).DELETE(),
            HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 202) {
      throw new IOException(
          "DELETE manifest "
              + name
              + "@"
              + digest
              + ": "
              + response.statusCode()
              + " "
              + response.body());
    }
  }

  private URI uri(String name, String path) {
    return URI.create("http://" + host + "/v2/" + name + "/" + path);
  }

  private static <T> HttpResponse<T> send(
      HttpRequest.Builder request, HttpResponse.BodyHandler<T> handler) throws IOException {
    try {
      return HTTP.send(request.timeout(Duration.ofSeconds(30)).build(), handler);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
  }

  public static String sha256(byte[] bytes) {
    try {
      return "sha256:"
          + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Starts {@code docker-registry serve} with delete enabled on {@code address} (e.g.
   * 127.0.0.1:5002), storing under {@code data}; requires it (skip, or fail under CI).
   */
  public static Process startDeletable(String address, Path data) throws Exception {
    boolean has =
        new ProcessBuilder("sh", "-c", "command -v docker-registry").start().waitFor() == 0;
    Requirements.require(has, "docker-registry (for a delete-enabled registry on " + address + ")");
    Files.createDirectories(data);
    Path config = data.resolve("config.yml");
    Files.writeString(
        config,
        """
        version: 0.1
        log:
          level: warn
        storage:
          filesystem:
            rootdirectory: %s
          delete:
            enabled: true
        http:
          addr: %s
        """
            .formatted(data.resolve("data"), address));
    Process registry =
        new ProcessBuilder("docker-registry", "serve", config.toString())
            .redirectErrorStream(true)
            .redirectOutput(data.resolve("registry.log").toFile())
            .start();
    boolean up = false;
    for (int i = 0; i < 100 && !up; i++) {
      try {
        up =
            HTTP.send(
                        HttpRequest.newBuilder(URI.create("http://" + address + "/v2/")).build(),
                        HttpResponse.BodyHandlers.discarding())
                    .statusCode()
                == 200;
      } catch (IOException e) {
        Thread.sleep(100);
      }
    }
    Requirements.require(up, "a delete-enabled registry on " + address);
    return registry;
  }
}
