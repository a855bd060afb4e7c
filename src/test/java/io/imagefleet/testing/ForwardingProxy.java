package io.imagefleet.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Executors;

/**
 * A loopback reverse proxy to a registry that shows each exchange to an observer: what a test
 * counts (requests, blob reads, bytes) without touching the registry.
 */
public final class ForwardingProxy {
  /** Sees each answered request: method, path, status and the body the registry returned. */
  public interface Observer {
    void seen(String method, String path, int status, byte[] body);
  }

  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final Set<String> HOP_BY_HOP =
      Set.of(
          "connection",
          "content-length",
          "transfer-encoding",
          "host",
          "keep-alive",
          "upgrade",
          "expect");

  private ForwardingProxy() {}

  /** Sees each answered request: method, path, status and the size of the body it sent. */
  public interface RequestObserver {
    void sent(String method, String path, int status, long requestBytes);
  }

  /** A proxy that shows each request's body size to {@code observer}: bytes pushed, say. */
  public static HttpServer startCountingRequests(String upstream, RequestObserver observer)
      throws IOException {
    return start(upstream, (m, p, s, b) -> {}, observer);
  }

  public static HttpServer start(String upstream, Observer observer) throws IOException {
    return start(upstream, observer, (m, p, s, n) -> {});
  }

  private static HttpServer start(String upstream, Observer observer, RequestObserver requests)
      throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.setExecutor(Executors.newFixedThreadPool(8));
    server.createContext(
        "/",
        exchange -> {
          try (exchange) {
            // Locations the registry writes (uploads) name the proxy, so they come back through it.
            String self = "127.0.0.1:" + exchange.getLocalAddress().getPort();
            long[] sent = {0};
            HttpResponse<byte[]> response =
                forward(upstream, exchange, java.util.Map.of("X-Forwarded-Host", self), sent);
            requests.sent(
                exchange.getRequestMethod(),
                exchange.getRequestURI().getPath(),
                response.statusCode(),
                sent[0]);
            observer.seen(
                exchange.getRequestMethod(),
                exchange.getRequestURI().getPath(),
                response.statusCode(),
                response.body());
            answer(exchange, response);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        });
    server.start();
    return server;
  }

  /** Sends the exchange's request on to {@code upstream} and returns its answer. */
  static HttpResponse<byte[]> forward(String upstream, HttpExchange exchange)
      throws IOException, InterruptedException {
    return forward(upstream, exchange, java.util.Map.of());
  }

  /** As {@link #forward(String, HttpExchange)}, with {@code extra} request headers. */
  static HttpResponse<byte[]> forward(
      String upstream, HttpExchange exchange, java.util.Map<String, String> extra)
      throws IOException, InterruptedException {
    return forward(upstream, exchange, extra, new long[1]);
  }

  private static HttpResponse<byte[]> forward(
      String upstream, HttpExchange exchange, java.util.Map<String, String> extra, long[] sent)
      throws IOException, InterruptedException {
    byte[] body = exchange.getRequestBody().readAllBytes();
    sent[0] = body.length;
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create("http://" + upstream + exchange.getRequestURI()))
            .method(exchange.getRequestMethod(), HttpRequest.BodyPublishers.ofByteArray(body));
    exchange
        .getRequestHeaders()
        .forEach(
            (name, values) -> {
              if (!HOP_BY_HOP.contains(name.toLowerCase(Locale.ROOT))) {
                values.forEach(v -> request.header(name, v));
              }
            });
    extra.forEach(request::header);
    return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  /** Answers the exchange with {@code response}, as the upstream gave it. */
  static void answer(HttpExchange exchange, HttpResponse<byte[]> response) throws IOException {
    response
        .headers()
        .map()
        .forEach(
            (name, values) -> {
              if (!HOP_BY_HOP.contains(name.toLowerCase(Locale.ROOT)) && !name.startsWith(":")) {
                exchange.getResponseHeaders().put(name, values);
              }
            });
    boolean head = exchange.getRequestMethod().equals("HEAD");
    if (head) {
      // docker reads a blob's size from the HEAD answer.
      response
          .headers()
          .firstValue("Content-Length")
          .ifPresent(l -> exchange.getResponseHeaders().set("Content-Length", l));
    }
    int length = response.body().length;
    exchange.sendResponseHeaders(response.statusCode(), head || length == 0 ? -1 : length);
    if (!head && length > 0) {
      exchange.getResponseBody().write(response.body());
    }
  }
}
