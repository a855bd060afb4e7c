package io.imagefleet.docker;

import static io.imagefleet.docker.DockerCalls.call;
import static io.imagefleet.docker.DockerCalls.failure;
import static io.imagefleet.docker.DockerCalls.rootMessage;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Image;
import com.github.dockerjava.api.model.Info;
import com.github.dockerjava.api.model.PruneType;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.httpclient5.ApacheDockerHttpClient;
import com.github.dockerjava.transport.DockerHttpClient;
import com.github.dockerjava.transport.DockerHttpClient.Request;
import io.imagefleet.ImagefleetException;
import io.imagefleet.PeerFailure;
import io.imagefleet.registry.Credentials;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** {@link DockerDaemon} over docker-java with the httpclient5 transport. */
public final class DockerJavaDaemon implements DockerDaemon {
  static final String DEFAULT_HOST = "unix:///var/run/docker.sock";
  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
  private static final Duration PING_TIMEOUT = Duration.ofSeconds(8);

  /** Prunes of a large cache take minutes; nothing else here comes close. */
  private static final Duration RESPONSE_TIMEOUT = Duration.ofMinutes(30);

  private static final ObjectMapper JSON = new ObjectMapper();

  private final String endpoint;
  private final DockerHttpClient http;
  private final DockerHttpClient pingClient;
  private final DockerClient client;
  private final ImageStreams streams;

  private DockerJavaDaemon(String endpoint, URI uri) {
    this.endpoint = endpoint;
    this.http = httpClient(uri, RESPONSE_TIMEOUT);
    this.pingClient = httpClient(uri, PING_TIMEOUT);
    this.client =
        DockerClientImpl.getInstance(
            DefaultDockerClientConfig.createDefaultConfigBuilder().withDockerHost(endpoint).build(),
            http);
    this.streams = new ImageStreams(client);
  }

  /**
   * Connects to {@code DOCKER_HOST} (or the default socket) and checks the daemon answers; an
   * unreachable daemon fails within seconds with exit code 4.
   */
  /**
   * Whether docker-java threw this: a failure of the daemon that escaped {@link DockerCalls} (the
   * edge takes it for the environment's, not a programming error).
   */
  public static boolean threwThis(Throwable failure) {
    return failure instanceof com.github.dockerjava.api.exception.DockerException
        || failure instanceof com.github.dockerjava.api.exception.DockerClientException;
  }

  public static DockerJavaDaemon connect(Map<String, String> environment) {
    String configured = environment.get("DOCKER_HOST");
    boolean fromEnvironment = configured != null && !configured.isBlank();
    String endpoint = fromEnvironment ? configured.strip() : DEFAULT_HOST;
    String source = fromEnvironment ? "DOCKER_HOST" : "the default socket";
    URI uri;
    try {
      uri = URI.create(endpoint);
    } catch (IllegalArgumentException e) {
      throw ImagefleetException.invalidInput(
          "DOCKER_HOST '" + endpoint + "' is not a URI; use unix:///path or tcp://host:port");
    }
    try (DockerHttpClient probe = httpClient(uri, PING_TIMEOUT)) {
      try (DockerHttpClient.Response response =
          probe.execute(Request.builder().method(Request.Method.GET).path("/_ping").build())) {
        if (response.getStatusCode() != 200) {
          throw new IOException("HTTP " + response.getStatusCode() + " from /_ping");
        }
      }
    } catch (IOException | RuntimeException e) {
      throw new PeerFailure(
          "cannot reach the Docker daemon at "
              + endpoint
              + " ("
              + source
              + "): "
              + rootMessage(e)
              + "; start Docker, or point DOCKER_HOST at a running daemon");
    }
    return new DockerJavaDaemon(endpoint, uri);
  }

  private static DockerHttpClient httpClient(URI uri, Duration responseTimeout) {
    return new ApacheDockerHttpClient.Builder()
        .dockerHost(uri)
        .maxConnections(32)
        .connectionTimeout(CONNECT_TIMEOUT)
        .responseTimeout(responseTimeout)
        .build();
  }

  @Override
  public String endpoint() {
    return endpoint;
  }

  // GET /_ping
  @Override
  public boolean ping() {
    try (DockerHttpClient.Response response =
        pingClient.execute(Request.builder().method(Request.Method.GET).path("/_ping").build())) {
      return response.getStatusCode() == 200;
    } catch (RuntimeException e) {
      return false;
    }
  }

  @Override
  public DaemonInfo info() {
    return call(
        "read the daemon's info",
        () -> {
          Info info = client.infoCmd().exec();
          String api = client.versionCmd().exec().getApiVersion();
          return new DaemonInfo(info.getDockerRootDir(), info.getServerVersion(), api);
        });
  }

  // GET /system/df
  @Override
  public DockerUsage usage() {
    JsonNode df = json(Request.Method.GET, "/system/df", "read Docker's disk usage");
    long layers = df.path("LayersSize").asLong(0);
    long containers = sum(df.path("Containers"), "SizeRw");
    long volumes = 0;
    for (JsonNode volume : df.path("Volumes")) {
      volumes += Math.max(0, volume.path("UsageData").path("Size").asLong(0));
    }
    long cache = sum(df.path("BuildCache"), "Size");
    return new DockerUsage(layers, containers, volumes, cache);
  }

  // POST /containers/prune
  @Override
  public long pruneStoppedContainers() {
    return call(
        "prune stopped containers",
        () -> reclaimed(client.pruneCmd(PruneType.CONTAINERS).exec().getSpaceReclaimed()));
  }

  // POST /images/prune?filters={"dangling":["true"|"false"]}
  @Override
  public long pruneImages(boolean unused) {
    return call(
        "prune images",
        () ->
            reclaimed(
                client
                    .pruneCmd(PruneType.IMAGES)
                    .withDangling(!unused)
                    .exec()
                    .getSpaceReclaimed()));
  }

  // POST /build/prune?all=true&keep-storage=N (reserved-space=N from API 1.48 on)
  @Override
  public long pruneBuildCache(long keepBytes) {
    String parameter =
        apiAtLeast(
                call("read the API version", () -> client.versionCmd().exec().getApiVersion()),
                1,
                48)
            ? "reserved-space"
            : "keep-storage";
    JsonNode result =
        json(
            Request.Method.POST,
            "/build/prune?all=true&" + parameter + "=" + keepBytes,
            "prune the build cache");
    return result.path("SpaceReclaimed").asLong(0);
  }

  @Override
  public String runHelper(
      String image, List<String> command, List<String> binds, Duration timeout) {
    return call(
        "run helper container " + image,
        () -> new HelperContainer(client).run(image, command, binds, timeout));
  }

  @Override
  public Optional<String> ownImage(String hostname) {
    if (hostname == null || hostname.isBlank()) {
      return Optional.empty();
    }
    return call(
        "inspect container " + hostname,
        () -> {
          try {
            return Optional.ofNullable(client.inspectContainerCmd(hostname).exec().getImageId());
          } catch (NotFoundException e) {
            return Optional.empty();
          }
        });
  }

  @Override
  public List<String> localImages() {
    return call(
        "list local images",
        () ->
            client.listImagesCmd().exec().stream()
                .filter(image -> image.getRepoTags() != null && image.getRepoTags().length > 0)
                .filter(image -> !image.getRepoTags()[0].equals("<none>:<none>"))
                .sorted(Comparator.comparing(Image::getSize))
                .map(image -> image.getRepoTags()[0])
                .toList());
  }

  @Override
  public String buildImage(EngineBuild build, Path log, Duration timeout) {
    return streams.build(build, log, timeout);
  }

  @Override
  public String pushImage(
      String repository,
      String tag,
      Optional<Credentials.Login> login,
      Path log,
      Duration timeout) {
    return streams.push(repository, tag, login, log, timeout);
  }

  @Override
  public void pullImage(
      String reference, Optional<Credentials.Login> login, Path log, Duration timeout) {
    streams.pull(reference, login, log, timeout);
  }

  @Override
  public boolean imageExists(String reference) {
    return call(
        "inspect image " + reference,
        () -> {
          try {
            client.inspectImageCmd(reference).exec();
            return true;
          } catch (NotFoundException e) {
            return false;
          }
        });
  }

  // POST /containers/create, GET /containers/{id}/archive?path=…, DELETE /containers/{id}
  @Override
  public void exportPath(String image, String path, Path root) {
    call(
        "copy " + path + " out of " + image,
        () -> {
          String id =
              client
                  .createContainerCmd(image)
                  .withEntrypoint(List.of("/never-started"))
                  .withLabels(Map.of("io.imagefleet.helper", "true"))
                  .exec()
                  .getId();
          try (InputStream tar = client.copyArchiveFromContainerCmd(id, path).exec()) {
            TarExtractor.extractPath(tar, path, root);
          } catch (IOException e) {
            throw new StepFailure(
                "copy " + path + " out of " + image + " failed: " + e.getMessage(), false);
          } finally {
            client.removeContainerCmd(id).withForce(true).exec();
          }
          return null;
        });
  }

  @Override
  public void removeImage(String reference) {
    call(
        "remove image " + reference,
        () -> {
          try {
            client.removeImageCmd(reference).withNoPrune(false).exec();
          } catch (NotFoundException e) {
            // Already gone: what removal wanted.
          }
          return null;
        });
  }

  @Override
  public void close() {
    try {
      client.close();
      pingClient.close();
    } catch (IOException e) {
      // Closing a local socket client has nothing left to report.
    }
  }

  private JsonNode json(Request.Method method, String path, String action) {
    Request request = Request.builder().method(method).path(path).build();
    try (DockerHttpClient.Response response = http.execute(request);
        InputStream body = response.getBody()) {
      byte[] bytes = body.readAllBytes();
      if (response.getStatusCode() / 100 != 2) {
        throw new StepFailure(
            action
                + " at "
                + endpoint
                + " failed: HTTP "
                + response.getStatusCode()
                + " "
                + new String(bytes).strip(),
            false);
      }
      return JSON.readTree(bytes);
    } catch (IOException | RuntimeException e) {
      throw failure(action + " at " + endpoint, e);
    }
  }

  private static long sum(JsonNode array, String field) {
    long total = 0;
    for (JsonNode item : array) {
      total += Math.max(0, item.path(field).asLong(0));
    }
    return total;
  }

  private static long reclaimed(Long bytes) {
    return bytes == null ? 0 : bytes;
  }

  static boolean apiAtLeast(String version, int major, int minor) {
    if (version == null) {
      return false;
    }
    String[] parts = version.split("\\.");
    try {
      int ma = Integer.parseInt(parts[0]);
      int mi = parts.length > 1 ? Integer.parseInt(parts[1]) : 0;
      return ma > major || (ma == major && mi >= minor);
    } catch (NumberFormatException e) {
      return false;
    }
  }
}
