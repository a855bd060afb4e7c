package io.imagefleet.testing;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** The real registry .ci/run starts on 127.0.0.1:5000 (plain HTTP, trusted by the daemon). */
public final class TestRegistry {
  public static final String HOST = "127.0.0.1:5000";
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();

  private TestRegistry() {}

  /** Fails under CI, skips elsewhere, when the registry does not answer. */
  public static void require() {
    boolean up;
    try {
      up = get("/v2/").statusCode() == 200;
    } catch (IOException e) {
      up = false;
    }
    Requirements.require(up, "a registry on " + HOST);
  }

  /** {@code HEAD /v2/<name>/manifests/<reference>}, accepting OCI and Docker manifests. */
  public static HttpResponse<Void> headManifest(String name, String reference) throws IOException {
    HttpRequest request =
        HttpRequest.newBuilder(
                URI.create("http://" + HOST + "/v2/" + name + "/manifests/" + reference))
            .method("HEAD", HttpRequest.BodyPublishers.noBody())
            .header(
                "Accept",
                "application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json,"
                    + " application/vnd.oci.image.index.v1+json, application/vnd.docker.distribution.manifest.list.v2+json")
            .timeout(Duration.ofSeconds(10))
            .build();
    return send(request, HttpResponse.BodyHandlers.discarding());
  }

  private static HttpResponse<String> get(String path) throws IOException {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create("http://" + HOST + path))
            .timeout(Duration.ofSeconds(5))
            .build();
    return send(request, HttpResponse.BodyHandlers.ofString());
  }

  private static <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> handler)
      throws IOException {
    try {
      return HTTP.send(request, handler);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
  }
}
