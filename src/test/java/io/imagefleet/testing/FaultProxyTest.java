package io.imagefleet.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import io.imagefleet.testing.FaultProxy.Counters;
import io.imagefleet.testing.FaultProxy.Faults;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The fault proxy against a plain local HTTP server: rates, faithful relaying, resets, main. */
class FaultProxyTest {
  private static final byte[] BLOB = randomBytes(8 * 1024 * 1024 + 17, 7);
  private static HttpServer upstream;
  private static ExecutorService upstreamThreads;

  @BeforeAll
  static void startUpstream() throws IOException {
    upstream = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
    upstream.createContext(
        "/ok",
        exchange -> {
          exchange.getRequestBody().readAllBytes();
          byte[] body = "ok".getBytes(StandardCharsets.US_ASCII);
          exchange.sendResponseHeaders(200, body.length);
          exchange.getResponseBody().write(body);
          exchange.close();
        });
    // Echoes the request body back chunked (length 0 = chunked in com.sun.net.httpserver).
    upstream.createContext(
        "/echo",
        exchange -> {
          byte[] body = exchange.getRequestBody().readAllBytes();
          exchange.sendResponseHeaders(200, 0);
          exchange.getResponseBody().write(body);
          exchange.close();
        });
    upstream.createContext(
        "/blob",
        exchange -> {
          exchange.sendResponseHeaders(200, BLOB.length);
          exchange.getResponseBody().write(BLOB);
          exchange.close();
        });
    upstreamThreads = Executors.newFixedThreadPool(4);
    upstream.setExecutor(upstreamThreads);
    upstream.start();
  }

  @AfterAll
  static void stopUpstream() {
    upstream.stop(0);
    upstreamThreads.shutdownNow();
  }

  @Test
  void injectsRoughlyTheConfiguredRatesAndCountsExactlyWhatTheClientSaw() throws IOException {
    int n = 400;
    List<String> outcomes;
    Counters counters;
    try (FaultProxy proxy = FaultProxy.start(upstreamAddress(), new Faults(0.3, 0.05, 1))) {
      outcomes = requestSerially(proxy, n);
      counters = proxy.counters();
    }

    assertThat(counters.requests()).isEqualTo(n);
    assertThat(count(outcomes, "200")).isEqualTo(counters.forwarded());
    assertThat(count(outcomes, "503") + count(outcomes, "503+retry-after"))
        .isEqualTo(counters.status503());
    assertThat(count(outcomes, "429") + count(outcomes, "429+retry-after"))
        .isEqualTo(counters.status429());
    assertThat(count(outcomes, "reset")).isEqualTo(counters.resets());
    assertThat(counters.forwarded() + counters.injected()).isEqualTo(n);
    // Binomial(400, 0.3) and (400, 0.05): about 120 and 20; these bounds are > 4 sigma wide.
    assertThat(counters.status503() + counters.status429()).isBetween(80L, 160L);
    assertThat(counters.status503()).isBetween(30L, 100L);
    assertThat(counters.resets()).isBetween(5L, 40L);
    assertThat(count(outcomes, "503+retry-after") + count(outcomes, "429+retry-after"))
        .isBetween(10L, counters.status503() + counters.status429() - 10);
  }

  @Test
  void theSameSeedMakesTheSameDecisionsForTheSameSequenceOfRequests() throws IOException {
    List<List<String>> runs = new ArrayList<>();
    for (int run = 0; run < 2; run++) {
      try (FaultProxy proxy = FaultProxy.start(upstreamAddress(), new Faults(0.3, 0.1, 42))) {
        runs.add(requestSerially(proxy, 60));
      }
    }

    assertThat(runs.get(1)).isEqualTo(runs.get(0));
    assertThat(runs.get(0)).contains("200", "reset");
  }

  @Test
  void relaysMultiMegabyteBodiesByteForByteBothWaysWithAndWithoutChunking() throws Exception {
    byte[] upload = randomBytes(6 * 1024 * 1024 + 3, 11);
    HttpClient client = http();
    try (FaultProxy proxy = FaultProxy.start(upstreamAddress(), Faults.NONE)) {
      URI base = URI.create("http://" + proxy.hostPort());
      // ofInputStream has no known length: the JDK client sends it chunked.
      HttpResponse<byte[]> chunked =
          client.send(
              post(
                  base.resolve("/echo"),
                  HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(upload))),
              HttpResponse.BodyHandlers.ofByteArray());
      HttpResponse<byte[]> sized =
          client.send(
              post(base.resolve("/echo"), HttpRequest.BodyPublishers.ofByteArray(upload)),
              HttpResponse.BodyHandlers.ofByteArray());
      HttpResponse<byte[]> download =
          client.send(
              HttpRequest.newBuilder(base.resolve("/blob")).timeout(Duration.ofSeconds(30)).build(),
              HttpResponse.BodyHandlers.ofByteArray());

      assertThat(chunked.statusCode()).isEqualTo(200);
      assertThat(chunked.body()).isEqualTo(upload);
      assertThat(sized.body()).isEqualTo(upload);
      assertThat(download.headers().firstValue("Content-Length")).hasValue("" + BLOB.length);
      assertThat(download.body()).isEqualTo(BLOB);
      assertThat(download.headers().firstValue("Connection")).hasValue("close");
      assertThat(proxy.counters().forwarded()).isEqualTo(3);
    }
  }

  @Test
  void aResetReachesTheClientAsAnIOException() throws Exception {
    HttpClient client = http();
    try (FaultProxy proxy = FaultProxy.start(upstreamAddress(), new Faults(0, 1, 3))) {
      for (int i = 0; i < 10; i++) {
        HttpRequest request =
            post(
                URI.create("http://" + proxy.hostPort() + "/echo"),
                HttpRequest.BodyPublishers.ofByteArray(randomBytes(64 * 1024, i)));
        assertThatThrownBy(() -> client.send(request, HttpResponse.BodyHandlers.ofByteArray()))
            .isInstanceOf(IOException.class);
      }

      // The JDK client may retry a failed request once itself; every attempt was reset.
      assertThat(proxy.counters().resets()).isBetween(10L, 20L);
      assertThat(proxy.counters().forwarded()).isZero();
    }
  }

  @Test
  void aDeadUpstreamIsABadGatewayNotAnInjectedFault() throws IOException {
    int closedPort;
    try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = probe.getLocalPort();
    }
    InetSocketAddress dead = new InetSocketAddress(InetAddress.getLoopbackAddress(), closedPort);
    try (FaultProxy proxy = FaultProxy.start(dead, Faults.NONE)) {
      assertThat(requestSerially(proxy, 2)).containsExactly("502", "502");
      assertThat(proxy.counters().upstreamDown()).isEqualTo(2);
      assertThat(proxy.counters().injected()).isZero();
    }
  }

  @Test
  void onlyLoopbackAddressesAndSaneRatesAreAccepted() {
    assertThatThrownBy(() -> FaultProxy.start(new InetSocketAddress("10.1.2.3", 5000), Faults.NONE))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("upstream must be a loopback address");
    assertThatThrownBy(() -> new Faults(0.9, 0.2, 1)).hasMessageContaining("sum to at most 1");
  }

  @Test
  void mainServesUntilSigtermAndLeavesItsCountersInTheStatsFile(@TempDir Path dir)
      throws Exception {
    Path stats = dir.resolve("proxy.json");
    Process process =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                FaultProxy.class.getName(),
                "--listen",
                "127.0.0.1:0",
                "--upstream",
                upstreamAddress().getAddress().getHostAddress() + ":" + upstreamAddress().getPort(),
                "--error-rate",
                "1",
                "--reset-rate",
                "0",
                "--stats",
                stats.toString())
            .start();
    try {
      String banner =
          new BufferedReader(
                  new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8))
              .readLine();
      assertThat(banner).startsWith("fault-proxy: 127.0.0.1:");
      int port =
          Integer.parseInt(banner.replaceAll("^fault-proxy: 127\\.0\\.0\\.1:(\\d+) .*", "$1"));

      String outcome = request(port);
      process.destroy(); // SIGTERM

      assertThat(process.waitFor(10, TimeUnit.SECONDS)).isTrue();
      assertThat(outcome).matches("(503|429).*");
      assertThat(Files.readString(stats))
          .startsWith("{\"requests\":1,\"forwarded\":0,")
          .contains("\"resets\":0")
          .contains(outcome.startsWith("503") ? "\"status503\":1" : "\"status429\":1");
    } finally {
      process.destroyForcibly();
    }
  }

  private static InetSocketAddress upstreamAddress() {
    return upstream.getAddress();
  }

  /** One request at a time over raw sockets, so no client retries hide what the proxy did. */
  private static List<String> requestSerially(FaultProxy proxy, int n) throws IOException {
    List<String> outcomes = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      outcomes.add(request(proxy.port()));
    }
    return outcomes;
  }

  /** The status code (plus {@code +retry-after} when present), or {@code reset}. */
  private static String request(int port) throws IOException {
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      out.write(
          "GET /ok HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n\r\n"
              .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = socket.getInputStream();
      String response = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
      String status = response.substring(9, 12);
      return response.contains("\r\nRetry-After: ") ? status + "+retry-after" : status;
    } catch (java.net.SocketException e) {
      assertThat(e.getMessage()).contains("reset");
      return "reset";
    }
  }

  private static long count(List<String> outcomes, String outcome) {
    return outcomes.stream().filter(outcome::equals).count();
  }

  private static HttpClient http() {
    return HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(5))
        .build();
  }

  private static HttpRequest post(URI uri, HttpRequest.BodyPublisher body) {
    return HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).POST(body).build();
  }

  private static byte[] randomBytes(int size, long seed) {
    byte[] bytes = new byte[size];
    new Random(seed).nextBytes(bytes);
    return bytes;
  }
}
