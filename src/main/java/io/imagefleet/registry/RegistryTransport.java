package io.imagefleet.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.imagefleet.Backoff;
import io.imagefleet.Origin;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Every registry request of imagefleet goes through here: one HTTP client, one {@link
 * RegistryAuth}, and the rules in one place.
 *
 * <ul>
 *   <li>URLs are judged parsed: HTTPS, or plain HTTP only to loopback and {@code
 *       --insecure-registry} hosts ({@link InsecureRegistries#requireAllowed}); no user info.
 *   <li>Redirects (GET and HEAD only) are followed here: never from HTTPS down to HTTP, and the
 *       Authorization header goes only to the origin the call was made to.
 *   <li>A 401 is answered only when it comes from that origin.
 *   <li>5xx and broken connections are retried with backoff, waiting what {@code Retry-After} asks
 *       (up to a minute); a refused connection is not retried: nobody is there.
 *   <li>Every request to a registry waits for its budget ({@link RegistryBudgets}, shared by all
 *       callers). A rate-limit answer (429, or GitHub's 403 "secondary rate limit") pauses that
 *       registry for every caller ({@code Retry-After}, else the backoff) and is retried until the
 *       deadline; a wait past it fails the call as rate-limited, naming the registry.
 *   <li>Bodies read into memory are capped ({@link BoundedBody}); blobs are streamed.
 *   <li>Each request is bounded by its own timeout (transfers: the whole deadline) and the
 *       deadline.
 * </ul>
 */
public final class RegistryTransport {
  static final Duration CALL_TIMEOUT = Duration.ofSeconds(60);
  static final Duration MAX_RETRY_AFTER = Duration.ofSeconds(60);
  static final int MAX_REDIRECTS = 5;
  private static final Set<Integer> REDIRECTS = Set.of(301, 302, 303, 307, 308);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpClient http;
  private final InsecureRegistries insecure;
  private final RegistryAuth auth;
  private final RegistryBudgets budgets;
  private final int attempts;
  private final Duration backoff;

  /** A transport with budgets of its own (the published defaults). */
  public RegistryTransport(
      Credentials credentials, InsecureRegistries insecure, int attempts, Duration backoff) {
    this(credentials, insecure, new RegistryBudgets(), attempts, backoff);
  }

  /**
   * @param budgets the process's request budgets, shared with every other transport
   * @param attempts tries per call for 5xx and broken connections
   */
  public RegistryTransport(
      Credentials credentials,
      InsecureRegistries insecure,
      RegistryBudgets budgets,
      int attempts,
      Duration backoff) {
    this.http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10))
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();
    this.insecure = insecure;
    this.auth = new RegistryAuth(credentials, insecure);
    this.budgets = budgets;
    this.attempts = Math.max(1, attempts);
    this.backoff = backoff;
  }

  public InsecureRegistries insecure() {
    return insecure;
  }

  public RegistryBudgets budgets() {
    return budgets;
  }

  /**
   * The call, authorized, with redirects followed and transient failures retried. Returns an answer
   * whose status the call accepts; anything else is a {@link RegistryFailure} naming the action.
   */
  public <T> HttpResponse<T> send(
      RegistryCall call, HttpResponse.BodyHandler<T> handler, Deadline deadline) {
    String problem = "";
    int limited = 0;
    for (int attempt = 1; attempt <= attempts; attempt++) {
      Duration wait = Backoff.delay(backoff, attempt);
      try {
        HttpResponse<T> response = exchange(call, handler, deadline);
        int status = response.statusCode();
        if (call.accepted().contains(status)) {
          return response;
        }
        boolean rateLimit = isRateLimit(response);
        String detail = errorDetail(response);
        close(response);
        if (rateLimit) {
          // Every caller of the registry waits this out, this call's next try included.
          limited++;
          budgets.pause(
              registry(call), retryAfter(response).orElse(Backoff.delay(backoff, limited)));
        }
        if (rateLimit && call.retryable()) {
          // Not an attempt: the next try waits out the pause or fails as rate-limited past the
          // deadline.
          attempt--;
          continue;
        }
        if (rateLimit) {
          throw RegistryFailure.limitedMidTransfer(
              call.action() + " failed: HTTP " + status + detail + " (rate-limited)");
        }
        if (status < 500 && status != 429 || !call.retryable()) {
          throw RegistryFailure.failed(
              call.action() + " failed: HTTP " + status + detail + authHint(status, call));
        }
        problem = "HTTP " + status + detail;
        wait = retryAfter(response).orElse(wait);
      } catch (ConnectException e) {
        throw RegistryFailure.unreachable(
            call.action()
                + " failed: connection refused by "
                + call.uri().getAuthority()
                + "; is the registry up?");
      } catch (BoundedBody.TooLarge e) {
        throw RegistryFailure.failed(
            call.action() + " failed: " + call.uri().getAuthority() + " sent " + e.getMessage());
      } catch (IOException e) {
        problem = describe(e);
        if (!call.retryable()) {
          throw RegistryFailure.failed(call.action() + " failed: " + problem);
        }
      }
      if (attempt < attempts && !deadline.passed()) {
        Backoff.pause(deadline.bound(wait));
      }
    }
    throw RegistryFailure.failed(
        call.action() + " failed after " + attempts + " attempts (last: " + problem + ")");
  }

  /** One try: authorized, following redirects; a 401 from the call's own origin is answered. */
  private <T> HttpResponse<T> exchange(
      RegistryCall call, HttpResponse.BodyHandler<T> handler, Deadline deadline)
      throws IOException {
    HttpResponse<T> response = follow(call, auth.known(call, this, deadline), handler, deadline);
    if (response.statusCode() == 401 && Origin.same(response.uri(), call.uri())) {
      Optional<String> fresh = auth.answer(response, call, this, deadline);
      if (fresh.isPresent()) {
        close(response);
        response = follow(call, fresh, handler, deadline);
      }
    }
    return response;
  }

  /**
   * {@code call} with {@code authorization} for its own origin only, following GET and HEAD
   * redirects within the rules above. Bodies of answers the call doesn't accept are read (capped)
   * for the error message.
   */
  <T> HttpResponse<T> follow(
      RegistryCall call,
      Optional<String> authorization,
      HttpResponse.BodyHandler<T> handler,
      Deadline deadline)
      throws IOException {
    URI uri = insecure.requireAllowed(call.uri(), call.action());
    for (int hop = 0; ; hop++) {
      if (deadline.passed()) {
        throw RegistryFailure.timedOut(call.action() + " timed out");
      }
      boolean budgeted = Origin.same(uri, registryOrigin(call));
      if (budgeted) {
        budgets.acquire(registry(call), isManifestGet(call, uri), deadline, call.action());
      }
      HttpRequest.Builder request =
          HttpRequest.newBuilder(uri)
              .method(call.method(), call.body().get())
              .timeout(deadline.bound(isTransfer(call) ? deadline.left() : CALL_TIMEOUT));
      call.headers().forEach(request::header);
      if (authorization.isPresent() && Origin.same(uri, call.uri())) {
        request.header("Authorization", authorization.get());
      }
      HttpResponse<T> response =
          await(http.sendAsync(request.build(), keepingErrors(call, handler)), call, deadline);
      if (budgeted) {
        budgets.observe(registry(call), response.headers());
      }
      Optional<String> location = response.headers().firstValue("Location");
      boolean follows = call.method().equals("GET") || call.method().equals("HEAD");
      if (!REDIRECTS.contains(response.statusCode()) || location.isEmpty() || !follows) {
        return response;
      }
      if (hop >= MAX_REDIRECTS) {
        throw RegistryFailure.failed(
            call.action() + " failed: more than " + MAX_REDIRECTS + " redirects");
      }
      URI next = redirect(uri, location.get(), call);
      close(response);
      uri = next;
    }
  }

  private URI redirect(URI from, String location, RegistryCall call) {
    URI next;
    try {
      next = from.resolve(location);
    } catch (IllegalArgumentException e) {
      throw RegistryFailure.failed(
          call.action() + " failed: unusable redirect from " + from.getHost());
    }
    insecure.requireAllowed(next, call.action());
    if (isHttps(from) && !isHttps(next)) {
      throw RegistryFailure.failed(
          call.action() + " failed: redirected from HTTPS to plain HTTP (" + next.getHost() + ")");
    }
    return next;
  }

  /** The upload location a registry named: on the call's own origin, never plain HTTP after TLS. */
  public URI sameOriginLocation(RegistryCall call, HttpResponse<?> response) {
    String location =
        response
            .headers()
            .firstValue("Location")
            .orElseThrow(
                () -> RegistryFailure.failed(call.action() + " failed: no upload Location"));
    URI resolved;
    try {
      resolved = insecure.requireAllowed(call.uri().resolve(location), call.action());
    } catch (IllegalArgumentException e) {
      throw RegistryFailure.failed(call.action() + " failed: unusable upload Location");
    }
    if (!Origin.same(resolved, call.uri())) {
      throw RegistryFailure.failed(
          call.action()
              + " failed: upload location on another origin ("
              + resolved.getScheme()
              + "://"
              + resolved.getAuthority()
              + ")");
    }
    return resolved;
  }

  /** Whether anything answers at {@code uri} (any HTTP status counts), within seconds. */
  public boolean answers(URI uri) {
    try {
      insecure.requireAllowed(uri, "ping");
      HttpRequest request =
          HttpRequest.newBuilder(uri).GET().timeout(Duration.ofSeconds(10)).build();
      http.send(request, HttpResponse.BodyHandlers.discarding());
      return true;
    } catch (IOException | RegistryFailure e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** The body of an answer the call doesn't accept is read as capped bytes, for the message. */
  @SuppressWarnings("unchecked")
  private static <T> HttpResponse.BodyHandler<T> keepingErrors(
      RegistryCall call, HttpResponse.BodyHandler<T> handler) {
    HttpResponse.BodyHandler<byte[]> small = BoundedBody.upTo(BoundedBody.SMALL);
    return info ->
        info.statusCode() >= 400 && !call.accepted().contains(info.statusCode())
            ? (HttpResponse.BodySubscriber<T>) small.apply(info)
            : handler.apply(info);
  }

  /** The registry as image references name it, whose budget the call spends. */
  private static String registry(RegistryCall call) {
    return call.scope().repository().registry();
  }

  /** Where the registry's API answers; redirects elsewhere (blob storage) spend no budget. */
  private static URI registryOrigin(RegistryCall call) {
    Repository repository = call.scope().repository();
    return URI.create(repository.scheme() + "://" + repository.apiHost() + "/");
  }

  private static boolean isManifestGet(RegistryCall call, URI uri) {
    return call.method().equals("GET") && uri.getPath().contains("/manifests/");
  }

  /** 429, or GitHub's 403 whose body says a secondary rate limit was exceeded. */
  static boolean isRateLimit(HttpResponse<?> response) {
    if (response.statusCode() == 429) {
      return true;
    }
    return response.statusCode() == 403
        && response.body() instanceof byte[] bytes
        && new String(bytes, StandardCharsets.UTF_8)
            .toLowerCase(java.util.Locale.ROOT)
            .contains("secondary rate limit");
  }

  private static boolean isTransfer(RegistryCall call) {
    return call.method().equals("PUT") || call.uri().getPath().contains("/blobs/");
  }

  private static <T> HttpResponse<T> await(
      CompletableFuture<HttpResponse<T>> future, RegistryCall call, Deadline deadline)
      throws IOException {
    try {
      return future.get(deadline.left().toNanos() + 1, TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      future.cancel(true);
      throw RegistryFailure.timedOut(call.action() + " timed out");
    } catch (InterruptedException e) {
      future.cancel(true);
      Thread.currentThread().interrupt();
      throw RegistryFailure.failed(call.action() + ": interrupted");
    } catch (ExecutionException e) {
      if (e.getCause() instanceof HttpTimeoutException) {
        throw RegistryFailure.timedOut(call.action() + " timed out");
      }
      if (e.getCause() instanceof IOException io) {
        throw io;
      }
      throw RegistryFailure.failed(call.action() + " failed: " + describe(e.getCause()));
    }
  }

  /** {@code Retry-After} as seconds or an HTTP date, capped; empty when absent or unreadable. */
  static Optional<Duration> retryAfter(HttpResponse<?> response) {
    return response.headers().firstValue("Retry-After").flatMap(RegistryTransport::parseRetryAfter);
  }

  static Optional<Duration> parseRetryAfter(String header) {
    String value = header.strip();
    Duration wait;
    try {
      wait = Duration.ofSeconds(Long.parseLong(value));
    } catch (NumberFormatException e) {
      try {
        ZonedDateTime at = ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME);
        wait = Duration.between(ZonedDateTime.now(at.getZone()), at);
      } catch (DateTimeParseException notADate) {
        return Optional.empty();
      }
    }
    if (wait.isNegative()) {
      return Optional.of(Duration.ZERO);
    }
    return Optional.of(wait.compareTo(MAX_RETRY_AFTER) > 0 ? MAX_RETRY_AFTER : wait);
  }

  static String errorDetail(HttpResponse<?> response) {
    byte[] bytes = response.body() instanceof byte[] b ? b : null;
    if (bytes == null || bytes.length == 0) {
      return "";
    }
    try {
      JsonNode error = JSON.readTree(bytes).path("errors").path(0);
      if (error.isObject()) {
        return oneLine(error.path("code").asText() + ": " + error.path("message").asText());
      }
    } catch (IOException e) {
      // not the registry's JSON error; show the start of the text
    }
    return oneLine(new String(bytes, StandardCharsets.UTF_8));
  }

  /** One line of at most 200 characters, whatever the registry sent: a message is a line. */
  private static String oneLine(String detail) {
    String text = detail.replaceAll("\\s+", " ").strip();
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

  /** What to do about a 401/403: log in with a token that may do what the call does. */
  static String authHint(int status, RegistryCall call) {
    return status == 401 || status == 403 ? loginHint(call) : "";
  }

  static String loginHint(RegistryCall call) {
    return "; log in (docker login, or IMAGEFLEET_REGISTRY_USERNAME/_PASSWORD for the registry"
        + " imagefleet pushes to) with a token that may "
        + (call.scope().push() ? "pull and push there" : "read it");
  }

  static String describe(Throwable e) {
    String message = e.getMessage();
    String name = e.getClass().getSimpleName();
    return message == null || message.isEmpty() ? name : name + ": " + message;
  }

  private static boolean isHttps(URI uri) {
    return "https".equalsIgnoreCase(uri.getScheme());
  }
}
