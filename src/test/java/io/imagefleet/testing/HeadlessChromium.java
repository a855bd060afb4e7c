package io.imagefleet.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Debian's {@code chromium}, headless, driven over the DevTools protocol (a WebSocket from
 * java.net.http): opens a page, records every network request and every console error or exception
 * the page causes, evaluates expressions in it and takes screenshots.
 */
public final class HeadlessChromium implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern LISTENING = Pattern.compile("DevTools listening on (ws://\\S+)");

  private final Process process;
  private final WebSocket socket;
  private final AtomicInteger ids = new AtomicInteger();
  private final Map<Integer, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
  private final List<JsonNode> events = new CopyOnWriteArrayList<>();
  private final Map<String, CompletableFuture<JsonNode>> awaited = new ConcurrentHashMap<>();

  private HeadlessChromium(Process process, WebSocket.Builder builder, URI page) {
    this.process = process;
    this.socket = builder.buildAsync(page, new Listener()).join();
  }

  /** Chromium, found on PATH; missing fails under CI=true and skips elsewhere. */
  public static HeadlessChromium start(Path profile) throws Exception {
    Requirements.require(onPath("chromium"), "chromium (apt-get install chromium)");
    Process process =
        new ProcessBuilder(
                "chromium",
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--hide-scrollbars",
                "--window-size=1280,2000",
                "--remote-debugging-port=0",
                "--user-data-dir=" + profile,
                "about:blank")
            .redirectErrorStream(true)
            .start();
    String browser = listening(process);
    URI base = URI.create(browser);
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    URI list = URI.create("http://" + base.getHost() + ":" + base.getPort() + "/json/list");
    JsonNode targets =
        JSON.readTree(
            http.send(HttpRequest.newBuilder(list).build(), HttpResponse.BodyHandlers.ofString())
                .body());
    String page = null;
    for (JsonNode target : targets) {
      if (target.path("type").asText().equals("page")) {
        page = target.path("webSocketDebuggerUrl").asText();
      }
    }
    if (page == null) {
      process.destroyForcibly();
      throw new IllegalStateException("chromium has no page target: " + targets);
    }
    return new HeadlessChromium(process, http.newWebSocketBuilder(), URI.create(page));
  }

  /** Enables the Network, Runtime, Log and Page domains, opens the file and waits for its load. */
  public void open(Path file) throws Exception {
    for (String domain : List.of("Network", "Runtime", "Log", "Page")) {
      call(domain + ".enable", JSON.createObjectNode());
    }
    CompletableFuture<JsonNode> loaded = new CompletableFuture<>();
    awaited.put("Page.loadEventFired", loaded);
    ObjectNode params = JSON.createObjectNode().put("url", file.toUri().toString());
    call("Page.navigate", params);
    loaded.get(60, TimeUnit.SECONDS);
  }

  /** URLs the page requested, its own included. */
  public List<String> requests() {
    return events.stream()
        .filter(e -> e.path("method").asText().equals("Network.requestWillBeSent"))
        .map(e -> e.path("params").path("request").path("url").asText())
        .toList();
  }

  /** Console errors, uncaught exceptions and error log entries (CSP violations among them). */
  public List<String> errors() {
    List<String> errors = new ArrayList<>();
    for (JsonNode e : events) {
      String method = e.path("method").asText();
      JsonNode p = e.path("params");
      if (method.equals("Runtime.exceptionThrown")) {
        errors.add("exception: " + p.path("exceptionDetails"));
      } else if (method.equals("Runtime.consoleAPICalled")
          && List.of("error", "assert").contains(p.path("type").asText())) {
        errors.add("console: " + p.path("args"));
      } else if (method.equals("Log.entryAdded")
          && p.path("entry").path("level").asText().equals("error")) {
        errors.add("log: " + p.path("entry"));
      }
    }
    return errors;
  }

  /** The value of a JavaScript expression in the page (JSON-serializable). */
  public JsonNode evaluate(String expression) throws Exception {
    ObjectNode params =
        JSON.createObjectNode().put("expression", expression).put("returnByValue", true);
    JsonNode result = call("Runtime.evaluate", params);
    if (result.has("exceptionDetails")) {
      throw new IllegalStateException("evaluating " + expression + ": " + result);
    }
    return result.path("result").path("value");
  }

  /** A PNG of the whole page, saved to {@code file}. */
  public Path screenshot(Path file) throws Exception {
    ObjectNode params =
        JSON.createObjectNode().put("format", "png").put("captureBeyondViewport", true);
    JsonNode result = call("Page.captureScreenshot", params);
    Files.createDirectories(file.toAbsolutePath().getParent());
    return Files.write(file, Base64.getDecoder().decode(result.path("data").asText()));
  }

  private JsonNode call(String method, ObjectNode params) throws Exception {
    int id = ids.incrementAndGet();
    CompletableFuture<JsonNode> reply = new CompletableFuture<>();
    pending.put(id, reply);
    ObjectNode message = JSON.createObjectNode().put("id", id).put("method", method);
    message.set("params", params);
    socket.sendText(JSON.writeValueAsString(message), true).get(10, TimeUnit.SECONDS);
    JsonNode answer = reply.get(60, TimeUnit.SECONDS);
    if (answer.has("error")) {
      throw new IllegalStateException(method + ": " + answer.path("error"));
    }
    return answer.path("result");
  }

  private final class Listener implements WebSocket.Listener {
    private final StringBuilder partial = new StringBuilder();

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
      partial.append(data);
      if (last) {
        String text = partial.toString();
        partial.setLength(0);
        try {
          JsonNode message = JSON.readTree(text);
          if (message.has("id")) {
            CompletableFuture<JsonNode> reply = pending.remove(message.path("id").asInt());
            if (reply != null) {
              reply.complete(message);
            }
          } else {
            events.add(message);
            CompletableFuture<JsonNode> waiting = awaited.remove(message.path("method").asText());
            if (waiting != null) {
              waiting.complete(message);
            }
          }
        } catch (IOException e) {
          events.add(JSON.createObjectNode().put("method", "unparsable").put("text", text));
        }
      }
      webSocket.request(1);
      return null;
    }
  }

  private static String listening(Process process) throws IOException {
    BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream()));
    StringBuilder seen = new StringBuilder();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    String line;
    while (System.nanoTime() < deadline && (line = lines.readLine()) != null) {
      seen.append(line).append('\n');
      Matcher m = LISTENING.matcher(line);
      if (m.find()) {
        // Keep draining chromium's output so it never blocks on a full pipe.
        Thread drain = new Thread(() -> lines.lines().forEach(l -> {}), "chromium-output");
        drain.setDaemon(true);
        drain.start();
        return m.group(1);
      }
    }
    process.destroyForcibly();
    throw new IllegalStateException("chromium did not start its DevTools endpoint:\n" + seen);
  }

  private static boolean onPath(String command) {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
      if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, command))) {
        return true;
      }
    }
    return false;
  }

  @Override
  public void close() throws Exception {
    socket.abort();
    process.destroy();
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }
}
