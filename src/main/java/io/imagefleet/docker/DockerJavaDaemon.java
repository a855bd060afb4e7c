package io.imagefleet.docker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.command.BuildImageCmd;
import com.github.dockerjava.api.command.BuildImageResultCallback;
import com.github.dockerjava.api.command.CreateContainerResponse;
import com.github.dockerjava.api.command.PullImageCmd;
import com.github.dockerjava.api.command.PushImageCmd;
import com.github.dockerjava.api.exception.DockerException;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.AuthConfig;
import com.github.dockerjava.api.model.Bind;
import com.github.dockerjava.api.model.BuildResponseItem;
import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.Image;
import com.github.dockerjava.api.model.Info;
import com.github.dockerjava.api.model.PruneType;
import com.github.dockerjava.api.model.PullResponseItem;
import com.github.dockerjava.api.model.PushResponseItem;
import com.github.dockerjava.api.model.ResponseItem;
import com.github.dockerjava.api.model.StreamType;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.httpclient5.ApacheDockerHttpClient;
import com.github.dockerjava.transport.DockerHttpClient;
import com.github.dockerjava.transport.DockerHttpClient.Request;
import io.imagefleet.ExitCode;
import io.imagefleet.ImagefleetException;
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
import java.util.Set;
import java.util.concurrent.TimeUnit;

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

  private DockerJavaDaemon(String endpoint, URI uri) {
    this.endpoint = endpoint;
    this.http = httpClient(uri, RESPONSE_TIMEOUT);
    this.pingClient = httpClient(uri, PING_TIMEOUT);
    this.client =
        DockerClientImpl.getInstance(
            DefaultDockerClientConfig.createDefaultConfigBuilder().withDockerHost(endpoint).build(),
            http);
  }

  /**
   * Connects to {@code DOCKER_HOST} (or the default socket) and checks the daemon answers; an
   * unreachable daemon fails within seconds with exit code 4.
   */
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
      throw new ImagefleetException(
          ExitCode.UNREACHABLE,
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
    return call("run helper container " + image, () -> helper(image, command, binds, timeout));
  }

  private String helper(String image, List<String> command, List<String> binds, Duration timeout) {
    CreateContainerResponse created =
        client
            .createContainerCmd(image)
            .withEntrypoint(command)
            .withCmd(List.of())
            .withLabels(Map.of("io.imagefleet.helper", "true"))
            .withHostConfig(
                HostConfig.newHostConfig()
                    .withNetworkMode("none")
                    .withBinds(binds.stream().map(Bind::parse).toList()))
            .exec();
    String id = created.getId();
    try {
      client.startContainerCmd(id).exec();
      Integer status =
          client
              .waitContainerCmd(id)
              .start()
              .awaitStatusCode(timeout.toMillis(), TimeUnit.MILLISECONDS);
      StringBuilder out = new StringBuilder();
      StringBuilder err = new StringBuilder();
      client
          .logContainerCmd(id)
          .withStdOut(true)
          .withStdErr(true)
          .exec(
              new ResultCallback.Adapter<Frame>() {
                @Override
                public void onNext(Frame frame) {
                  (frame.getStreamType() == StreamType.STDERR ? err : out)
                      .append(
                          new String(frame.getPayload(), java.nio.charset.StandardCharsets.UTF_8));
                }
              })
          .awaitCompletion(timeout.toMillis(), TimeUnit.MILLISECONDS);
      if (status == null || status != 0) {
        throw new StepFailure(
            "helper container (" + image + ") exited " + status + ": " + err.toString().strip(),
            false);
      }
      return out.toString();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StepFailure("interrupted while running a helper container", false);
    } finally {
      client.removeContainerCmd(id).withForce(true).exec();
    }
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

  // POST /build (the engine's own builder; BuildKit needs a session the API client doesn't speak)
  @Override
  public String buildImage(EngineBuild build, Path log, Duration timeout) {
    BuildImageCmd command =
        client
            .buildImageCmd()
            .withBaseDirectory(build.context().toFile())
            .withDockerfile(build.dockerfile().toFile())
            .withTags(Set.of(build.tag()))
            .withRemove(true)
            .withForcerm(true)
            .withPull(false);
    if (build.target() != null && !build.target().isEmpty()) {
      command.withTarget(build.target());
    }
    if (build.network() != null && !build.network().isEmpty()) {
      command.withNetworkMode(build.network());
    }
    build.buildArgs().forEach(command::withBuildArg);
    try (ProgressLog sink = new ProgressLog(log)) {
      BuildImageResultCallback callback =
          call(
              "build " + build.tag(),
              () ->
                  command.exec(
                      new BuildImageResultCallback() {
                        @Override
                        public void onNext(BuildResponseItem item) {
                          sink.write(item);
                          super.onNext(item);
                        }
                      }));
      return awaitOrCancel(callback, timeout, "build", () -> callback.awaitImageId());
    }
  }

  // POST /images/<name>/push?tag=<tag>
  @Override
  public String pushImage(
      String repository,
      String tag,
      Optional<Credentials.Login> login,
      Path log,
      Duration timeout) {
    PushImageCmd command = client.pushImageCmd(repository).withTag(tag);
    login.ifPresent(l -> command.withAuthConfig(auth(l)));
    String[] digest = {null};
    try (ProgressLog sink = new ProgressLog(log)) {
      ResultCallback.Adapter<PushResponseItem> callback =
          call(
              "push " + repository + ":" + tag,
              () ->
                  command.exec(
                      new ResultCallback.Adapter<>() {
                        @Override
                        public void onNext(PushResponseItem item) {
                          sink.write(item);
                          if (item.getAux() != null && item.getAux().getDigest() != null) {
                            digest[0] = item.getAux().getDigest();
                          }
                          if (item.isErrorIndicated()) {
                            String error = errorOf(item);
                            onError(
                                new StepFailure(
                                    "push " + repository + ":" + tag + " failed: " + error, false));
                          }
                        }
                      }));
      awaitOrCancel(
          callback,
          timeout,
          "push",
          () -> {
            callback.awaitCompletion();
            return null;
          });
    }
    if (digest[0] == null) {
      throw new StepFailure("push " + repository + ":" + tag + " reported no digest", false);
    }
    return digest[0];
  }

  // POST /images/create?fromImage=<reference>
  @Override
  public void pullImage(
      String reference, Optional<Credentials.Login> login, Path log, Duration timeout) {
    PullImageCmd command = client.pullImageCmd(reference);
    login.ifPresent(l -> command.withAuthConfig(auth(l)));
    try (ProgressLog sink = new ProgressLog(log)) {
      ResultCallback.Adapter<PullResponseItem> callback =
          call(
              "pull " + reference,
              () ->
                  command.exec(
                      new ResultCallback.Adapter<>() {
                        @Override
                        public void onNext(PullResponseItem item) {
                          sink.write(item);
                          if (item.isErrorIndicated()) {
                            String error = errorOf(item);
                            onError(
                                new StepFailure("pull " + reference + " failed: " + error, false));
                          }
                        }
                      }));
      awaitOrCancel(
          callback,
          timeout,
          "pull",
          () -> {
            callback.awaitCompletion();
            return null;
          });
    }
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
            Path parent = root.resolve(path.replaceFirst("^/+", "")).getParent();
            TarExtractor.extract(tar, parent == null ? root : parent);
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

  /** Waits for a streaming call; past the timeout closes it, which makes the daemon cancel it. */
  private static <T> T awaitOrCancel(
      java.io.Closeable callback,
      Duration timeout,
      String what,
      java.util.concurrent.Callable<T> await) {
    java.util.concurrent.ExecutorService waiter =
        java.util.concurrent.Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "imagefleet-" + what + "-wait");
              t.setDaemon(true);
              return t;
            });
    try {
      java.util.concurrent.Future<T> result = waiter.submit(await);
      return result.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      closeQuietly(callback);
      throw new StepFailure(
          what + " timed out after " + timeout.toSeconds() + " s and was cancelled", true);
    } catch (java.util.concurrent.ExecutionException e) {
      Throwable cause = e.getCause();
      throw failure(what, cause);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      closeQuietly(callback);
      throw new StepFailure(what + " interrupted", false);
    } finally {
      waiter.shutdownNow();
    }
  }

  private static void closeQuietly(java.io.Closeable closeable) {
    try {
      closeable.close();
    } catch (IOException e) {
      // The stream is being abandoned; a failure to close it changes nothing.
    }
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

  /**
   * Every docker-java call goes through here, so a daemon or transport failure always becomes a
   * {@link StepFailure}: an HTTP error names its status, a dead socket is {@code unreachable}.
   */
  private static <T> T call(String action, java.util.function.Supplier<T> work) {
    try {
      return work.get();
    } catch (RuntimeException e) {
      throw failure(action, e);
    }
  }

  static StepFailure failure(String action, Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof StepFailure failure) {
        return failure;
      }
      if (t instanceof DockerException docker) {
        return new StepFailure(
            action + " failed: HTTP " + docker.getHttpStatus() + " " + rootMessage(docker), false);
      }
      if (t instanceof IOException) {
        return StepFailure.unreachable(action + " failed: " + rootMessage(t));
      }
    }
    return new StepFailure(action + " failed: " + rootMessage(e), false);
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

  private static String rootMessage(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String message = root.getMessage();
    return message == null
        ? root.getClass().getSimpleName()
        : message.lines().findFirst().orElse("").strip();
  }

  private static AuthConfig auth(Credentials.Login login) {
    return new AuthConfig().withUsername(login.username()).withPassword(login.password());
  }

  /** The message of a pull or push stream item that reports an error. */
  private static String errorOf(ResponseItem item) {
    return item.getErrorDetail() != null ? item.getErrorDetail().getMessage() : item.getError();
  }
}
