package io.imagefleet.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;

/**
 * A stranger's registry on its own loopback port: a reverse proxy to a real registry that demands a
 * token (its own anonymous token service on the same port) and writes down every request line with
 * its {@code Authorization} header, so a test can show which secrets reached it.
 */
public final class ChallengingRegistry implements AutoCloseable {
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final Set<String> HOP_BY_HOP =
      Set.of("connection", "content-length", "transfer-encoding", "host", "keep-alive", "expect");
  private static final String TOKEN = "anonymous-token";

  private final HttpServer server;
  private final String upstream;
  private final List<String> seen = new CopyOnWriteArrayList<>();

  private ChallengingRegistry(String upstream) throws IOException {
    this.upstream = upstream;
    this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.setExecutor(Executors.newFixedThreadPool(8));
    server.createContext("/", this::handle);
    server.start();
  }

  /** A challenging proxy to {@code upstream} ({@code host:port}, plain HTTP). */
  public static ChallengingRegistry start(String upstream) throws IOException {
    return new ChallengingRegistry(upstream);
  }

  /** {@code 127.0.0.1:<port>}: the registry as image references name it. */
  public String host() {
    return "127.0.0.1:" + server.getAddress().getPort();
  }

  /** Every request: {@code METHOD path-and-query Authorization: <value or ->}. */
  public List<String> seen() {
    return List.copyOf(seen);
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      String authorization = exchange.getRequestHeaders().getFirst("Authorization");
      seen.add(
          exchange.getRequestMethod()
              + " "
              + exchange.getRequestURI()
              + " Authorization: "
              + (authorization == null ? "-" : authorization));
      if (exchange.getRequestURI().getPath().equals("/token")) {
        answer(exchange, 200, "{\"token\":\"" + TOKEN + "\"}");
      } else if (!("Bearer " + TOKEN).equals(authorization)) {
        exchange
            .getResponseHeaders()
            .set(
                "WWW-Authenticate",
                "Bearer realm=\"http://" + host() + "/token\",service=\"stranger\"");
        answer(exchange, 401, "{\"errors\":[{\"code\":\"UNAUTHORIZED\",\"message\":\"token\"}]}");
      } else {
        forward(exchange);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void forward(HttpExchange exchange) throws IOException, InterruptedException {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create("http://" + upstream + exchange.getRequestURI()))
            .method(
                exchange.getRequestMethod(),
                HttpRequest.BodyPublishers.ofByteArray(exchange.getRequestBody().readAllBytes()));
    exchange
        .getRequestHeaders()
        .forEach(
            (name, values) -> {
              String lower = name.toLowerCase(Locale.ROOT);
              if (!HOP_BY_HOP.contains(lower) && !lower.equals("authorization")) {
                values.forEach(v -> request.header(name, v));
              }
            });
    HttpResponse<byte[]> response =
        HTTP.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
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

  private static void answer(HttpExchange exchange, int status, String json) throws IOException {
    byte[] body = json.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(status, body.length);
    exchange.getResponseBody().write(body);
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
