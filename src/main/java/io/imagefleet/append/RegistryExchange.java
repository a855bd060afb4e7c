package io.imagefleet.append;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.imagefleet.docker.StepFailure;
import io.imagefleet.registry.Credentials;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One registry request on the wire: authorized through {@link RegistryAuth} (a 401 is answered
 * once), redirects followed here (credentials never go to another host, never downgraded to plain
 * HTTP), bounded by its own timeout and the image's deadline. Transfers (blobs, PUTs) get the whole
 * deadline; other calls a minute.
 */
final class RegistryExchange {
  static final Duration CALL_TIMEOUT = Duration.ofSeconds(60);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpClient http;
  private final RegistryAuth auth;

  RegistryExchange(Credentials credentials) {
    this.http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10))
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();
    this.auth = new RegistryAuth(credentials, http);
  }

  /** One request with authorization, following redirects; a 401 is answered once. */
  <T> HttpResponse<T> exchange(
      RegistryCall call, HttpResponse.BodyHandler<T> handler, Deadline deadline)
      throws IOException {
    HttpResponse<T> response = follow(call, auth.known(call, deadline), handler, deadline);
    if (response.statusCode() == 401) {
      String fresh = auth.answer(response, call, deadline);
      if (fresh != null) {
        close(response);
        response = follow(call, fresh, handler, deadline);
      }
    }
    return response;
  }

  private <T> HttpResponse<T> follow(
      RegistryCall call,
      String authorization,
      HttpResponse.BodyHandler<T> handler,
      Deadline deadline)
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
      RegistryCall call, HttpResponse.BodyHandler<T> handler) {
    return info ->
        info.statusCode() >= 400 && !call.accepted().contains(info.statusCode())
            ? (HttpResponse.BodySubscriber<T>) HttpResponse.BodySubscribers.ofByteArray()
            : handler.apply(info);
  }

  private static boolean isTransfer(RegistryCall call) {
    return call.method().equals("PUT") || call.uri().getPath().contains("/blobs/");
  }

  static <T> HttpResponse<T> await(
      CompletableFuture<HttpResponse<T>> future, RegistryCall call, Deadline deadline)
      throws IOException {
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

  static String errorDetail(HttpResponse<?> response) {
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

  static String authHint(int status) {
    return status == 401 || status == 403
        ? "; log in (docker login, or IMAGEFLEET_REGISTRY_USERNAME/_PASSWORD) with a token that"
            + " may pull and push there"
        : "";
  }

  static String describe(Throwable e) {
    String message = e.getMessage();
    String name = e.getClass().getSimpleName();
    return message == null || message.isEmpty() ? name : name + ": " + message;
  }
}
