package io.imagefleet.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.imagefleet.cli.CliRun;
import io.imagefleet.testing.BuildRig;
import io.imagefleet.testing.ForwardingProxy;
import io.imagefleet.testing.RegistryWire;
import io.imagefleet.testing.TestRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What an append run's manifest says its blobs cost, against a proxy that counts the bytes pushed
 * and the registry's own manifests: every byte of every image is accounted for once, as streamed,
 * uploaded or already present (a config sent twice, twice), and what the records say moved is what
 * crossed the proxy.
 */
class AppendBytesIT {
  private static final int IMAGES = 6;
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path dir;
  private static BuildRig rig;

  @BeforeAll
  static void rig() throws Exception {
    rig = BuildRig.create(dir);
    Map<String, String> markers = new LinkedHashMap<>();
    IntStream.range(0, IMAGES).forEach(i -> markers.put("bytes-" + i, "base " + i));
    rig.pushBases(markers);
    Files.write(dir.resolve("ids.txt"), List.copyOf(markers.keySet()));
  }

  @Test
  void theBytesEachRecordCountsAreTheImagesBlobsAndWhatMovedCrossedTheProxy() throws Exception {
    // given a target registry behind a proxy counting what is pushed, and bases in another
    // registry (the same one, named directly): their blobs stream across
    AtomicLong pushed = new AtomicLong();
    Map<String, AtomicLong> byCall = new java.util.concurrent.ConcurrentHashMap<>();
    HttpServer proxy =
        ForwardingProxy.startCountingRequests(
            TestRegistry.HOST,
            (method, path, status, bytes) -> {
              if (path.contains("/blobs/uploads")) {
                pushed.addAndGet(bytes);
                byCall
                    .computeIfAbsent(method + " " + status, k -> new AtomicLong())
                    .addAndGet(bytes);
              }
            });
    String host = "127.0.0.1:" + proxy.getAddress().getPort();
    Path out = dir.resolve("out");
    try {
      Path dockerfile =
          Files.writeString(
              dir.resolve("copy.Dockerfile"),
              "ARG BASE_IMAGE\nFROM ${BASE_IMAGE}\nARG SDIST\nCOPY ${SDIST} /opt/agent/\n");
      List<String> args = rig.buildArgs(dir.resolve("ids.txt"), out);
      set(args, "--dockerfile", dockerfile.toString());
      set(args, "--builder", "append");
      set(args, "--image", host + "/" + rig.namespace + "/agent-bytes");
      args.addAll(List.of("--min-free-gb", "0", "--workers", "3"));

      // when the run is made
      CliRun run =
          CliRun.run(
              Map.of("DOCKER_HOST", "unix:///nonexistent.sock"), args.toArray(String[]::new));

      // then each record's bytes are its image's blobs, each counted once
      assertThat(run.exitCode()).as(run.err()).isZero();
      List<String> lines = Files.readAllLines(out.resolve("manifest.jsonl"));
      assertThat(lines).hasSize(IMAGES);
      RegistryWire wire = new RegistryWire(TestRegistry.HOST);
      long moved = 0;
      long reused = 0;
      for (String line : lines) {
        JsonNode record = JSON.readTree(line);
        JsonNode bytes = record.path("bytes");
        assertThat(record.path("status").asText()).isEqualTo("built");
        PhaseTimesTest.assertAddsUp(record);
        // The mounts (pull) may round to 0.00 s against the local registry and be left out.
        assertThat(record.path("phases").has("manifest")).as(line).isTrue();
        assertThat(bytes.has("pulled")).as("append pulls nothing: absent").isFalse();
        String tag = record.path("tags").get(0).asText();
        JsonNode manifest =
            JSON.readTree(
                wire.manifest(
                        rig.namespace + "/agent-bytes", tag.substring(tag.lastIndexOf(':') + 1))
                    .bytes());
        long size = manifest.path("config").path("size").asLong();
        for (JsonNode layer : manifest.path("layers")) {
          size += layer.path("size").asLong();
        }
        long counted =
            bytes.path("streamed").asLong()
                + bytes.path("uploaded").asLong()
                + bytes.path("mounted").asLong()
                + bytes.path("present").asLong();
        // Once each; the config twice where the registry ignored a one-request upload's body.
        long config = manifest.path("config").path("size").asLong();
        assertThat(counted).as("bytes of " + line).isIn(size, size + config);
        moved += bytes.path("streamed").asLong() + bytes.path("uploaded").asLong();
        reused += bytes.path("mounted").asLong() + bytes.path("present").asLong();
      }
      // and what the records say moved is what was pushed through the proxy
      assertThat(moved).as(byCall.toString()).isEqualTo(pushed.get()).isPositive();
      assertThat(reused).as("the shared busybox layer and agent layer cross once").isPositive();
      JsonNode summary = JSON.readTree(out.resolve("summary.json").toFile());
      assertThat(
              summary.path("bytes").path("streamed").asLong()
                  + summary.path("bytes").path("uploaded").asLong())
          .isEqualTo(moved);
      assertThat(summary.path("bytes").path("reusedShare").asDouble())
          .isCloseTo(
              reused / (double) (moved + reused), org.assertj.core.data.Offset.offset(0.001));
      assertThat(summary.path("phases").path("pull").asDouble()).isPositive();
      assertThat(Files.readString(out.resolve("report.html")))
          .contains("<h2>Blob bytes: moved and reused</h2>")
          .contains("Over 6 of 6 image(s)");
    } finally {
      proxy.stop(0);
    }
  }

  private static void set(List<String> args, String option, String value) {
    args.set(args.indexOf(option) + 1, value);
  }
}
