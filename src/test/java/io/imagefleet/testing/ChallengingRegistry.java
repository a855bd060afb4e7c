package io.imagefleet.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;

/**
 * A stranger's registry on its own loopback port: a reverse proxy to a real registry that demands a
 * token (its own anonymous token service on the same port) and writes down every request line with
 * its {@code Authorization} header, so a test can show which secrets reached it.
 */
public final class ChallengingRegistry implements AutoCloseable {
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
        ForwardingProxy.answer(exchange, ForwardingProxy.forward(upstream, exchange));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
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
