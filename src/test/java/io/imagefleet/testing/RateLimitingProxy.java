package io.imagefleet.testing;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A loopback reverse proxy to a registry that allows {@code perSecond} requests in each second
 * (fixed windows) and answers the rest 429, as a rate-limited registry does; every answer carries
 * Docker Hub's {@code ratelimit-limit}/{@code ratelimit-remaining} headers for the window. The
 * registry is told the proxy's address, so upload locations point back through it.
 */
public final class RateLimitingProxy implements AutoCloseable {
  private final HttpServer server;
  private final ExecutorService executor = Executors.newFixedThreadPool(16);
  private final int perSecond;
  private final long start = System.nanoTime();
  private final AtomicLong forwarded = new AtomicLong();
  private final AtomicLong refused = new AtomicLong();
  private long window = -1;
  private int inWindow;

  private RateLimitingProxy(String upstream, int perSecond) throws IOException {
    this.perSecond = perSecond;
    this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.setExecutor(executor);
    Map<String, String> forwardedHost = Map.of("X-Forwarded-Host", host());
    server.createContext(
        "/",
        exchange -> {
          try (exchange) {
            int left = take();
            exchange.getResponseHeaders().set("ratelimit-limit", perSecond + ";w=1");
            exchange.getResponseHeaders().set("ratelimit-remaining", Math.max(0, left) + ";w=1");
            if (left < 0) {
              refused.incrementAndGet();
              exchange.getRequestBody().readAllBytes();
              exchange.sendResponseHeaders(429, -1);
              return;
            }
            forwarded.incrementAndGet();
            HttpResponse<byte[]> response =
                ForwardingProxy.forward(upstream, exchange, forwardedHost);
            ForwardingProxy.answer(exchange, response);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        });
    server.start();
  }

  public static RateLimitingProxy start(String upstream, int perSecond) throws IOException {
    return new RateLimitingProxy(upstream, perSecond);
  }

  /** Requests left in this second after this one; negative when over the limit. */
  private synchronized int take() {
    long now = (System.nanoTime() - start) / 1_000_000_000L;
    if (now != window) {
      window = now;
      inWindow = 0;
    }
    inWindow++;
    return perSecond - inWindow;
  }

  /** {@code 127.0.0.1:<port>}, as image references name the registry behind it. */
  public String host() {
    return "127.0.0.1:" + server.getAddress().getPort();
  }

  public long forwarded() {
    return forwarded.get();
  }

  /** Requests answered 429. */
  public long refused() {
    return refused.get();
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
