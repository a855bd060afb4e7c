package io.imagefleet.testing;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A reverse proxy on loopback in front of a registry that injects faults: per request, a seeded
 * random answers 503 or 429 (sometimes with {@code Retry-After}) or resets the connection (RST,
 * before or after the upstream saw the request); everything else is relayed byte for byte.
 *
 * <p>One request per connection: both the request sent upstream and the response sent back carry
 * {@code Connection: close}, so every request gets its own decision without parsing bodies; bodies
 * (Content-Length, chunked or close-delimited) stream through untouched. Uses only the JDK, so a
 * script can run it with {@code java -cp target/test-classes io.imagefleet.testing.FaultProxy}.
 */
public final class FaultProxy implements AutoCloseable {
  /** What to inject: fractions of requests, and the seed of the decisions. */
  public record Faults(double errorRate, double resetRate, long seed) {
    public static final Faults NONE = new Faults(0, 0, 1);

    public Faults {
      if (errorRate < 0 || resetRate < 0 || errorRate + resetRate > 1) {
        throw new IllegalArgumentException(
            "error rate and reset rate must be >= 0 and sum to at most 1, got "
                + errorRate
                + " and "
                + resetRate);
      }
    }
  }

  /** What the proxy saw and did, by kind. */
  public record Counters(
      long requests,
      long forwarded,
      long status503,
      long status429,
      long resets,
      long upstreamDown) {
    public long injected() {
      return status503 + status429 + resets;
    }

    public String json() {
      return String.format(
          Locale.ROOT,
          "{\"requests\":%d,\"forwarded\":%d,\"status503\":%d,\"status429\":%d,\"resets\":%d,"
              + "\"upstream_down\":%d}",
          requests,
          forwarded,
          status503,
          status429,
          resets,
          upstreamDown);
    }
  }

  private enum Kind {
    FORWARD,
    STATUS_503,
    STATUS_429,
    RESET_BEFORE,
    RESET_AFTER
  }

  // Bounds: connections in flight (two threads each), header size, idle time, error drain time.
  private static final int MAX_CONNECTIONS = 128;
  private static final int MAX_HEADER_BYTES = 64 * 1024;
  private static final int IDLE_MILLIS = 120_000;
  private static final long DRAIN_MILLIS = 30_000;

  private final ServerSocket server;
  private final InetSocketAddress upstream;
  private final Faults faults;
  private final Random random;
  private final Semaphore slots = new Semaphore(MAX_CONNECTIONS);
  private final ExecutorService pool = Executors.newCachedThreadPool(FaultProxy::daemonThread);
  private final Thread acceptor;
  private final AtomicLong requests = new AtomicLong();
  private final AtomicLong forwarded = new AtomicLong();
  private final AtomicLong status503 = new AtomicLong();
  private final AtomicLong status429 = new AtomicLong();
  private final AtomicLong resets = new AtomicLong();
  private final AtomicLong upstreamDown = new AtomicLong();

  private FaultProxy(ServerSocket server, InetSocketAddress upstream, Faults faults) {
    this.server = server;
    this.upstream = upstream;
    this.faults = faults;
    this.random = new Random(faults.seed());
    this.acceptor = daemonThread(this::acceptLoop);
    acceptor.setName("fault-proxy-accept");
  }

  /** Listens on {@code listen} (port 0: any free one) and relays to {@code upstream}. */
  public static FaultProxy start(
      InetSocketAddress listen, InetSocketAddress upstream, Faults faults) throws IOException {
    requireLoopback(listen, "listen");
    requireLoopback(upstream, "upstream");
    ServerSocket server = new ServerSocket();
    server.setReuseAddress(true);
    server.bind(listen, 256);
    FaultProxy proxy = new FaultProxy(server, upstream, faults);
    proxy.acceptor.start();
    return proxy;
  }

  /** On an ephemeral loopback port. */
  public static FaultProxy start(InetSocketAddress upstream, Faults faults) throws IOException {
    return start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), upstream, faults);
  }

  public int port() {
    return server.getLocalPort();
  }

  /** {@code 127.0.0.1:PORT}, as an image reference's registry part. */
  public String hostPort() {
    return server.getInetAddress().getHostAddress() + ":" + port();
  }

  public Counters counters() {
    return new Counters(
        requests.get(),
        forwarded.get(),
        status503.get(),
        status429.get(),
        resets.get(),
        upstreamDown.get());
  }

  /** Stops accepting and cuts connections in flight. */
  @Override
  public void close() throws IOException {
    server.close();
    pool.shutdownNow();
    try {
      acceptor.join(5_000);
      pool.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void acceptLoop() {
    while (!server.isClosed()) {
      try {
        slots.acquire();
      } catch (InterruptedException e) {
        return;
      }
      try {
        Socket client = server.accept();
        pool.execute(
            () -> {
              try (client) {
                handle(client);
              } catch (IOException | RuntimeException e) {
                // The client or upstream went away mid-request, or the proxy is closing.
              } finally {
                slots.release();
              }
            });
      } catch (IOException | RejectedExecutionException e) {
        slots.release();
        if (!server.isClosed()) {
          pause(100); // e.g. too many open files: back off rather than spin
        }
      }
    }
  }

  private void handle(Socket client) throws IOException {
    client.setSoTimeout(IDLE_MILLIS);
    InputStream clientIn = new BufferedInputStream(client.getInputStream());
    byte[] head = readHead(clientIn);
    if (head == null) {
      return; // closed before sending a request (e.g. a port probe)
    }
    requests.incrementAndGet();
    Kind kind = decide();
    switch (kind) {
      case RESET_BEFORE -> reset(client);
      case STATUS_503, STATUS_429 -> answerError(client, clientIn, kind);
      case FORWARD, RESET_AFTER -> forward(client, clientIn, head, kind == Kind.RESET_AFTER);
    }
  }

  private Kind decide() {
    synchronized (random) {
      double draw = random.nextDouble();
      boolean coin = random.nextBoolean();
      if (draw < faults.resetRate()) {
        return coin ? Kind.RESET_AFTER : Kind.RESET_BEFORE;
      }
      if (draw < faults.resetRate() + faults.errorRate()) {
        return coin ? Kind.STATUS_503 : Kind.STATUS_429;
      }
      return Kind.FORWARD;
    }
  }

  /** RST rather than FIN: the client sees "connection reset", as from a dropped load balancer. */
  private void reset(Socket client) throws IOException {
    resets.incrementAndGet();
    client.setSoLinger(true, 0);
    client.close();
  }

  private void answerError(Socket client, InputStream clientIn, Kind kind) throws IOException {
    boolean tooMany = kind == Kind.STATUS_429;
    (tooMany ? status429 : status503).incrementAndGet();
    boolean retryAfter;
    synchronized (random) {
      retryAfter = random.nextBoolean();
    }
    String body =
        tooMany
            ? "{\"errors\":[{\"code\":\"TOOMANYREQUESTS\",\"message\":\"injected by FaultProxy\"}]}"
            : "{\"errors\":[{\"code\":\"UNAVAILABLE\",\"message\":\"injected by FaultProxy\"}]}";
    String response =
        (tooMany ? "HTTP/1.1 429 Too Many Requests\r\n" : "HTTP/1.1 503 Service Unavailable\r\n")
            + "Content-Type: application/json\r\n"
            + "Content-Length: "
            + body.length()
            + "\r\n"
            + (retryAfter ? "Retry-After: 1\r\n" : "")
            + "Connection: close\r\n\r\n"
            + body;
    client.getOutputStream().write(response.getBytes(StandardCharsets.US_ASCII));
    client.getOutputStream().flush();
    client.shutdownOutput();
    drain(client, clientIn);
  }

  /**
   * Reads what the client still sends (an upload body) until it closes, for a bounded time: closing
   * with unread data would send an RST, and the client might see a reset, not the status.
   */
  private static void drain(Socket client, InputStream clientIn) throws IOException {
    long deadline = System.currentTimeMillis() + DRAIN_MILLIS;
    byte[] buffer = new byte[64 * 1024];
    client.setSoTimeout(1_000);
    while (System.currentTimeMillis() < deadline) {
      try {
        if (clientIn.read(buffer) < 0) {
          return;
        }
      } catch (SocketTimeoutException e) {
        // still open and idle: keep waiting until the deadline
      }
    }
  }

  private void forward(Socket client, InputStream clientIn, byte[] head, boolean resetAfter)
      throws IOException {
    Socket up = new Socket();
    try (up) {
      try {
        up.connect(upstream, 5_000);
      } catch (IOException e) {
        upstreamDown.incrementAndGet();
        answerBadGateway(client, e);
        return;
      }
      up.setSoTimeout(IDLE_MILLIS);
      OutputStream upOut = up.getOutputStream();
      upOut.write(withConnectionClose(head));
      upOut.flush();
      // The body, whatever its framing, streams on its own thread while the response comes back.
      pool.execute(() -> pump(clientIn, upOut));
      InputStream upIn = new BufferedInputStream(up.getInputStream());
      OutputStream clientOut = client.getOutputStream();
      byte[] responseHead = readHead(upIn);
      // 1xx (e.g. 100 Continue) come before the real response; relay them as they are.
      for (int i = 0; i < 5 && responseHead != null && isInformational(responseHead); i++) {
        clientOut.write(responseHead);
        clientOut.flush();
        responseHead = readHead(upIn);
      }
      if (responseHead == null) {
        return; // upstream closed without answering: the client sees the connection close
      }
      if (resetAfter) {
        reset(client); // upstream did the work; the client never learns the outcome
        return;
      }
      forwarded.incrementAndGet();
      clientOut.write(withConnectionClose(responseHead));
      upIn.transferTo(clientOut);
      clientOut.flush();
    }
  }

  private void answerBadGateway(Socket client, IOException cause) throws IOException {
    String body = "upstream " + upstream + " unreachable: " + cause.getMessage() + "\n";
    String response =
        "HTTP/1.1 502 Bad Gateway\r\nContent-Type: text/plain\r\nContent-Length: "
            + body.getBytes(StandardCharsets.UTF_8).length
            + "\r\nConnection: close\r\n\r\n"
            + body;
    client.getOutputStream().write(response.getBytes(StandardCharsets.UTF_8));
    client.getOutputStream().flush();
  }

  private static void pump(InputStream from, OutputStream to) {
    try {
      from.transferTo(to);
      to.flush();
    } catch (IOException e) {
      // Either side closed: the response direction decides when the exchange ends.
    }
  }

  /**
   * The header block up to and including the blank line, or null on EOF before any byte. Reads byte
   * by byte from a buffered stream so the body stays in the stream for relaying.
   */
  private static byte[] readHead(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream(512);
    int matched = 0;
    while (matched < 4) {
      int b = in.read();
      if (b < 0) {
        if (head.size() == 0) {
          return null;
        }
        throw new IOException("connection closed inside the header block");
      }
      head.write(b);
      if (head.size() > MAX_HEADER_BYTES) {
        throw new IOException("header block over " + MAX_HEADER_BYTES + " bytes");
      }
      matched =
          (b == '\r' && matched % 2 == 0) || (b == '\n' && matched % 2 == 1) ? matched + 1 : 0;
    }
    return head.toByteArray();
  }

  private static boolean isInformational(byte[] responseHead) {
    String status =
        new String(responseHead, 0, Math.min(12, responseHead.length), StandardCharsets.US_ASCII);
    return status.matches("HTTP/1\\.[01] 1\\d\\d") && !status.endsWith("101");
  }

  /**
   * The same header block without hop-by-hop connection headers, plus {@code Connection: close}.
   */
  static byte[] withConnectionClose(byte[] head) {
    String text = new String(head, StandardCharsets.ISO_8859_1);
    List<String> lines = new ArrayList<>(List.of(text.split("\r\n")));
    lines.removeIf(
        line -> {
          String name = line.contains(":") ? line.substring(0, line.indexOf(':')).strip() : "";
          return name.equalsIgnoreCase("Connection")
              || name.equalsIgnoreCase("Keep-Alive")
              || name.equalsIgnoreCase("Proxy-Connection");
        });
    lines.add("Connection: close");
    return (String.join("\r\n", lines) + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1);
  }

  private static void requireLoopback(InetSocketAddress address, String what) {
    if (address.getAddress() == null || !address.getAddress().isLoopbackAddress()) {
      throw new IllegalArgumentException(what + " must be a loopback address, got " + address);
    }
  }

  private static Thread daemonThread(Runnable runnable) {
    Thread thread = new Thread(runnable, "fault-proxy");
    thread.setDaemon(true);
    return thread;
  }

  private static void pause(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  static InetSocketAddress parseAddress(String hostPort) {
    int colon = hostPort.lastIndexOf(':');
    if (colon < 1) {
      throw new IllegalArgumentException("expected HOST:PORT, got '" + hostPort + "'");
    }
    return new InetSocketAddress(
        hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1)));
  }

  /**
   * {@code --listen 127.0.0.1:5002 --upstream 127.0.0.1:5000 [--error-rate 0.3] [--reset-rate 0.05]
   * [--seed 1] [--stats FILE]}: runs until SIGTERM, writing its counters as JSON to FILE every
   * second and on exit.
   */
  public static void main(String[] args) throws Exception {
    String listen = "127.0.0.1:5002";
    String upstreamAddress = "127.0.0.1:5000";
    double errorRate = 0.3;
    double resetRate = 0.05;
    long seed = 1;
    Path stats = null;
    for (int i = 0; i < args.length; i += 2) {
      if (i + 1 == args.length) {
        usage(args[i] + " needs a value");
      }
      String value = args[i + 1];
      try {
        switch (args[i]) {
          case "--listen" -> listen = value;
          case "--upstream" -> upstreamAddress = value;
          case "--error-rate" -> errorRate = Double.parseDouble(value);
          case "--reset-rate" -> resetRate = Double.parseDouble(value);
          case "--seed" -> seed = Long.parseLong(value);
          case "--stats" -> stats = Path.of(value);
          default -> usage("unknown option " + args[i]);
        }
      } catch (NumberFormatException e) {
        usage(args[i] + " needs a number, got '" + value + "'");
      }
    }
    FaultProxy proxy =
        start(
            parseAddress(listen),
            parseAddress(upstreamAddress),
            new Faults(errorRate, resetRate, seed));
    System.err.println(
        "fault-proxy: " + proxy.hostPort() + " -> " + upstreamAddress + ", " + proxy.faults);
    if (stats != null) {
      Path file = stats;
      ScheduledExecutorService writer =
          Executors.newSingleThreadScheduledExecutor(FaultProxy::daemonThread);
      writer.scheduleWithFixedDelay(() -> proxy.writeStats(file), 1, 1, TimeUnit.SECONDS);
      // SIGTERM runs shutdown hooks: the last counters reach the file.
      Runtime.getRuntime().addShutdownHook(new Thread(() -> proxy.writeStats(file)));
    }
    proxy.acceptor.join();
  }

  private void writeStats(Path file) {
    try {
      Path temporary = file.resolveSibling(file.getFileName() + ".tmp");
      Files.writeString(temporary, counters().json() + "\n");
      Files.move(
          temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      System.err.println("fault-proxy: cannot write " + file + ": " + e.getMessage());
    }
  }

  private static void usage(String problem) {
    System.err.println(
        "fault-proxy: "
            + problem
            + "\nusage: FaultProxy --listen 127.0.0.1:PORT --upstream 127.0.0.1:PORT"
            + " [--error-rate 0.3] [--reset-rate 0.05] [--seed 1] [--stats FILE]");
    System.exit(2);
  }
}
