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
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The distribution API calls append makes, each a small named step that reads like the protocol.
 * Shared by all workers: one HTTP client, tokens cached per registry and scope. Answers a 401 with
 * Basic credentials or a bearer token (anonymous, or Basic-for-token), retries 5xx, 429 and broken
 * connections with backoff, bounds every call by its own timeout and the image's deadline, follows
 * redirects itself (credentials never go to another host, never downgraded to plain HTTP), and
 * turns any other answer into a {@link StepFailure} naming the action and the object.
 */
final class RegistrySession {
  static final String MANIFEST_TYPES =
      "application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json,"
          + " application/vnd.docker.distribution.manifest.list.v2+json,"
          + " application/vnd.docker.distribution.manifest.v2+json";
  private static final Duration CALL_TIMEOUT = Duration.ofSeconds(60);
  private static final Pattern CHALLENGE_PARAM = Pattern.compile("(\\w+)=\"([^\"]*)\"");
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Credentials credentials;
  private final HttpClient http;
  private final int attempts;
  private final Duration backoff;

  /** The last challenge per registry host, so later scopes get a token before the first call. */
  private final Map<String, String> challenges = new ConcurrentHashMap<>();

  private final Map<String, String> authorizations = new ConcurrentHashMap<>();

  RegistrySession(Credentials credentials, int attempts, Duration backoff) {
    this.credentials = credentials;
    this.http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10))
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();
    this.attempts = Math.max(1, attempts);
    this.backoff = backoff;
  }

  /** A manifest's bytes, its media type and its digest. */
  record Manifest(byte[] bytes, String mediaType, String digest) {}

  /** Which repositories a call needs: the one it addresses, plus one it mounts from. */
  record Scope(Repository repository, boolean push, Optional<Repository> mountFrom) {
    static Scope pull(Repository repository) {
      return new Scope(repository, false, Optional.empty());
    }

    static Scope push(Repository repository) {
      return new Scope(repository, true, Optional.empty());
    }

    List<String> scopes() {
      List<String> scopes = new ArrayList<>();
      scopes.add("repository:" + repository.name() + (push ? ":pull,push" : ":pull"));
      mountFrom.ifPresent(from -> scopes.add("repository:" + from.name() + ":pull"));
      return scopes;
    }

    String key() {
      return repository.apiHost() + " " + String.join(" ", scopes());
    }
  }

  /** One HTTP exchange: what it does (for messages), what it sends, what it accepts. */
  private record Call(
      String action,
      String method,
      URI uri,
      Scope scope,
      Set<Integer> accepted,
      Map<String, String> headers,
      Supplier<HttpRequest.BodyPublisher> body,
      boolean retryable) {}

  Manifest getManifest(Repository repository, String reference, Deadline deadline) {
    // GET /v2/<name>/manifests/<reference>
    Call call =
        new Call(
            "pull manifest " + reference + " of " + repository,
            "GET",
            repository.uri("manifests/" + reference),
            Scope.pull(repository),
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
    Call call = pullBlob(repository, digest);
    byte[] bytes = send(call, HttpResponse.BodyHandlers.ofByteArray(), deadline).body();
    if (!Digests.sha256(bytes).equals(digest)) {
      throw new StepFailure(call.action() + " failed: the bytes have another digest", false);
    }
    return bytes;
  }

  private static Call pullBlob(Repository repository, String digest) {
    // GET /v2/<name>/blobs/<digest>
    return new Call(
        "pull blob " + digest + " from " + repository,
        "GET",
        repository.uri("blobs/" + digest),
        Scope.pull(repository),
        Set.of(200),
        Map.of(),
        HttpRequest.BodyPublishers::noBody,
        true);
  }

  /** The blob as a stream, for passing on to another repository without touching disk. */
  InputStream openBlob(Repository repository, String digest, Deadline deadline) {
    Call call = pullBlob(repository, digest);
    return send(call, HttpResponse.BodyHandlers.ofInputStream(), deadline).body();
  }

  boolean blobExists(Repository repository, String digest, Deadline deadline) {
    // HEAD /v2/<name>/blobs/<digest>
    Call call =
        new Call(
            "check blob " + digest + " in " + repository,
            "HEAD",
            repository.uri("blobs/" + digest),
            Scope.push(repository),
            Set.of(200, 404),
            Map.of(),
            HttpRequest.BodyPublishers::noBody,
            true);
    return send(call, HttpResponse.BodyHandlers.discarding(), deadline).statusCode() == 200;
  }

  /** Mounts the blob from another repository of the same registry; else where to upload it. */
  Optional<URI> mountBlob(Repository target, String digest, Repository from, Deadline deadline) {
    // POST /v2/<name>/blobs/uploads/?mount=<digest>&from=<repository>
    Call call =
        new Call(
            "mount blob " + digest + " from " + from + " into " + target,
            "POST",
            target.uri("blobs/uploads/?mount=" + digest + "&from=" + from.name()),
            new Scope(target, true, Optional.of(from)),
            Set.of(201, 202),
            Map.of(),
            HttpRequest.BodyPublishers::noBody,
            true);
    HttpResponse<Void> response = send(call, HttpResponse.BodyHandlers.discarding(), deadline);
    return response.statusCode() == 201 ? Optional.empty() : Optional.of(location(call, response));
  }

  URI startUpload(Repository target, String digest, Deadline deadline) {
    // POST /v2/<name>/blobs/uploads/
    Call call =
        new Call(
            "push blob " + digest + " to " + target,
            "POST",
            target.uri("blobs/uploads/"),
            Scope.push(target),
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
    Call call =
        new Call(
            "push blob " + digest + " to " + target,
            "PUT",
            URI.create(upload + separator + "digest=" + encode(digest)),
            Scope.push(target),
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
    Call call =
        new Call(
            "push manifest " + target + ":" + tag,
            "PUT",
            target.uri("manifests/" + tag),
            Scope.push(target),
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
      Call call, HttpResponse.BodyHandler<T> handler, Deadline deadline) {
    String problem = "";
    for (int attempt = 1; attempt <= attempts; attempt++) {
      try {
        HttpResponse<T> response = exchange(call, handler, deadline);
        int status = response.statusCode();
        if (call.accepted().contains(status)) {
          return response;
        }
        String detail = errorDetail(response);
        if (status < 500 && status != 429 || !call.retryable()) {
          throw new StepFailure(
              call.action() + " failed: HTTP " + status + detail + authHint(status), false);
        }
        problem = "HTTP " + status + detail;
      } catch (ConnectException e) {
        throw StepFailure.unreachable(
            call.action() + " failed: connection refused by " + call.uri().getAuthority());
      } catch (IOException e) {
        problem = describe(e);
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

  /** One request with authorization, following redirects; a 401 is answered once. */
  private <T> HttpResponse<T> exchange(
      Call call, HttpResponse.BodyHandler<T> handler, Deadline deadline) throws IOException {
    String scopeKey = call.scope().key();
    String authorization = authorizations.get(scopeKey);
    if (authorization == null && challenges.containsKey(call.uri().getAuthority())) {
      authorization = authorize(challenges.get(call.uri().getAuthority()), call, deadline);
    }
    HttpResponse<T> response = follow(call, authorization, handler, deadline);
    if (response.statusCode() == 401) {
      String challenge = response.headers().firstValue("WWW-Authenticate").orElse("");
      challenges.put(call.uri().getAuthority(), challenge);
      String fresh = authorize(challenge, call, deadline);
      if (fresh != null) {
        close(response);
        response = follow(call, fresh, handler, deadline);
      }
    }
    return response;
  }

  private <T> HttpResponse<T> follow(
      Call call, String authorization, HttpResponse.BodyHandler<T> handler, Deadline deadline)
      throws IOException {
    URI uri = call.uri();
    for (int hop = 0; ; hop++) {
      if (deadline.passed()) {
        throw new StepFailure(call.action() + " timed out", true);
      }
      boolean sameOrigin = uri.getAuthority().equals(call.uri().getAuthority());
      HttpRequest.Builder request =
          HttpRequest.newBuilder(uri)
              .method(call.method(), call.body().get())
              .timeout(deadline.bound(isTransfer(call) ? deadline.left() : CALL_TIMEOUT));
      call.headers().forEach(request::header);
      if (authorization != null && sameOrigin) {
        request.header("Authorization", authorization);
      }
      HttpResponse<T> response =
          await(http.sendAsync(request.build(), keepingErrors(call, handler)), call, deadline);
      int status = response.statusCode();
      boolean redirect =
          status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
      if (!redirect || !(call.method().equals("GET") || call.method().equals("HEAD"))) {
        return response;
      }
      if (hop >= 5) {
        throw new StepFailure(call.action() + " failed: too many redirects", false);
      }
      URI next = uri.resolve(response.headers().firstValue("Location").orElse(""));
      if (next.getScheme().equals("http") && !Repository.isLoopback(next.getAuthority())) {
        throw new StepFailure(
            call.action() + " failed: redirected to plain HTTP (" + next.getHost() + ")", false);
      }
      close(response);
      uri = next;
    }
  }

  /** The body of an answer the call doesn't accept is read as bytes, for the error message. */
  @SuppressWarnings("unchecked")
  private static <T> HttpResponse.BodyHandler<T> keepingErrors(
      Call call, HttpResponse.BodyHandler<T> handler) {
    return info ->
        info.statusCode() >= 400 && !call.accepted().contains(info.statusCode())
            ? (HttpResponse.BodySubscriber<T>) HttpResponse.BodySubscribers.ofByteArray()
            : handler.apply(info);
  }

  private static boolean isTransfer(Call call) {
    return call.method().equals("PUT") || call.uri().getPath().contains("/blobs/");
  }

  private <T> HttpResponse<T> await(
      CompletableFuture<HttpResponse<T>> future, Call call, Deadline deadline) throws IOException {
    try {
      return future.get(deadline.left().toNanos() + 1, TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      future.cancel(true);
      throw new StepFailure(call.action() + " timed out", true);
    } catch (InterruptedException e) {
      future.cancel(true);
      Thread.currentThread().interrupt();
      throw new StepFailure(call.action() + ": interrupted", false);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof java.net.http.HttpTimeoutException) {
        throw new StepFailure(call.action() + " timed out", true);
      }
      if (e.getCause() instanceof IOException io) {
        throw io;
      }
      throw new StepFailure(call.action() + " failed: " + describe(e.getCause()), false);
    }
  }

  /** Basic credentials for a Basic challenge; a bearer token for a Bearer one; else null. */
  private String authorize(String challenge, Call call, Deadline deadline) throws IOException {
    Repository repository = call.scope().repository();
    Optional<Credentials.Login> login = credentials.forRegistry(repository.registry());
    String authorization = null;
    if (challenge.regionMatches(true, 0, "Basic", 0, 5)) {
      authorization = login.map(RegistrySession::basic).orElse(null);
    } else if (challenge.regionMatches(true, 0, "Bearer", 0, 6)) {
      authorization = token(challenge, call, login, deadline);
    }
    if (authorization != null) {
      authorizations.put(call.scope().key(), authorization);
    }
    return authorization;
  }

  private String token(
      String challenge, Call call, Optional<Credentials.Login> login, Deadline deadline)
      throws IOException {
    Map<String, String> params = new LinkedHashMap<>();
    Matcher m = CHALLENGE_PARAM.matcher(challenge);
    while (m.find()) {
      params.put(m.group(1), m.group(2));
    }
    String realm = params.get("realm");
    if (realm == null) {
      return null;
    }
    URI realmUri = URI.create(realm);
    if (!"https".equals(realmUri.getScheme()) && !Repository.isLoopback(realmUri.getAuthority())) {
      throw new StepFailure(
          call.action() + " failed: the token service " + realm + " is not HTTPS", false);
    }
    StringBuilder url = new StringBuilder(realm).append(realm.contains("?") ? "&" : "?");
    if (params.containsKey("service")) {
      url.append("service=").append(encode(params.get("service")));
    }
    for (String scope : call.scope().scopes()) {
      url.append("&scope=").append(encode(scope));
    }
    // GET <realm>?service=<service>&scope=repository:<name>:pull,push&scope=…
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(url.toString()))
            .timeout(deadline.bound(CALL_TIMEOUT))
            .GET();
    login.ifPresent(l -> request.header("Authorization", basic(l)));
    HttpResponse<byte[]> response =
        await(
            http.sendAsync(request.build(), HttpResponse.BodyHandlers.ofByteArray()),
            call,
            deadline);
    if (response.statusCode() != 200) {
      throw new StepFailure(
          "token request to "
              + realmUri.getHost()
              + " for "
              + String.join(" ", call.scope().scopes())
              + " ("
              + call.action()
              + ") failed: HTTP "
              + response.statusCode()
              + authHint(401),
          false);
    }
    JsonNode body = JSON.readTree(response.body());
    String token = body.path("token").asText(body.path("access_token").asText(""));
    return token.isEmpty() ? null : "Bearer " + token;
  }

  private static URI location(Call call, HttpResponse<?> response) {
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

  private static String errorDetail(HttpResponse<?> response) {
    Object body = response.body();
    byte[] bytes = body instanceof byte[] b ? b : null;
    if (body instanceof InputStream in) {
      try (in) {
        bytes = in.readNBytes(4096);
      } catch (IOException e) {
        bytes = null;
      }
    }
    if (bytes == null || bytes.length == 0) {
      return "";
    }
    try {
      JsonNode error = JSON.readTree(bytes).path("errors").path(0);
      if (error.isObject()) {
        return " " + error.path("code").asText() + ": " + error.path("message").asText();
      }
    } catch (IOException e) {
      // not the registry's JSON error; show the start of the text
    }
    String text = new String(bytes, StandardCharsets.UTF_8).strip();
    return text.isEmpty() ? "" : " " + (text.length() > 200 ? text.substring(0, 200) : text);
  }

  private static void close(HttpResponse<?> response) {
    if (response.body() instanceof InputStream in) {
      try {
        in.close();
      } catch (IOException e) {
        // nothing more to read from it anyway
      }
    }
  }

  private static JsonNode readTree(byte[] bytes, Call call) {
    try {
      return JSON.readTree(bytes);
    } catch (IOException e) {
      throw new StepFailure(call.action() + " failed: not JSON: " + e.getMessage(), false);
    }
  }

  private static String authHint(int status) {
    return status == 401 || status == 403
        ? "; log in (docker login, or IMAGEFLEET_REGISTRY_USERNAME/_PASSWORD) with a token that"
            + " may pull and push there"
        : "";
  }

  private static String describe(Throwable e) {
    String message = e.getMessage();
    String name = e.getClass().getSimpleName();
    return message == null || message.isEmpty() ? name : name + ": " + message;
  }

  private static String basic(Credentials.Login login) {
    String pair = login.username() + ":" + login.password();
    return "Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8));
  }

  private static String encode(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }
}
