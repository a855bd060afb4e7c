package io.imagefleet.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.imagefleet.cli.CliRun;
import io.imagefleet.testing.BuildRig;
import io.imagefleet.testing.RateLimitingProxy;
import io.imagefleet.testing.TestRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An append run of 30 images (a COPY-only Dockerfile, no Docker daemon) through a proxy that
 * answers 429 past {@value #PER_SECOND} requests a second: with the matching {@code
 * --registry-rate} it gets none, without it gets some and still builds every image.
 */
class RegistryBudgetIT {
  private static final int PER_SECOND = 20;
  private static final int IMAGES = 30;

  /** 90% of the proxy's limit: headroom for a late thread at a window's edge. */
  private static final int RATE_PER_MINUTE = PER_SECOND * 60 * 9 / 10;

  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path dir;
  private static BuildRig rig;
  private static Path dockerfile;

  @BeforeAll
  static void rig() throws Exception {
    rig = BuildRig.create(dir);
    rig.pushBases(Map.of("one", "the one base"));
    Files.write(
        dir.resolve("ids.txt"), IntStream.range(0, IMAGES).mapToObj(i -> "img-" + i).toList());
    dockerfile =
        Files.writeString(
            dir.resolve("copy.Dockerfile"),
            "ARG BASE_IMAGE\nFROM ${BASE_IMAGE}\nARG SDIST\nCOPY ${SDIST} /opt/agent/\n");
  }

  @Test
  void theMatchingRegistryRateGetsNo429sAndWithoutItTheProxyBites() throws Exception {
    try (RateLimitingProxy proxy = RateLimitingProxy.start(TestRegistry.HOST, PER_SECOND)) {
      // given the registry behind a proxy that allows 20 requests a second, bases and images
      // named through it
      String budget = proxy.host() + "=" + RATE_PER_MINUTE + "/min";

      // when the run is made with the matching --registry-rate
      long start = System.nanoTime();
      CliRun paced = build(proxy, "paced", List.of("--registry-rate", budget));
      double pacedSeconds = (System.nanoTime() - start) / 1e9;
      long pacedForwarded = proxy.forwarded();
      long pacedRefused = proxy.refused();

      // then every image was built, no request was refused, and the time is requests/limit
      assertThat(paced.exitCode()).as(paced.err()).isZero();
      assertThat(paced.err()).contains("built " + IMAGES + ", skipped 0, failed 0");
      assertThat(pacedRefused).as(paced.err()).isZero();
      JsonNode pacedUse = registry(dir.resolve("out-paced"), proxy.host());
      assertThat(pacedUse.path("rateLimited").asLong()).isZero();
      long requests = pacedUse.path("requests").asLong();
      assertThat(requests).isBetween(pacedForwarded - 5, pacedForwarded);
      double floor = (requests - 1) * 60.0 / RATE_PER_MINUTE;
      assertThat(pacedSeconds).as("seconds for %d requests", requests).isGreaterThan(floor * 0.9);
      assertThat(paced.err())
          .contains(
              "imagefleet build: registry "
                  + proxy.host()
                  + ": "
                  + requests
                  + " requests, 0 rate-limited (429), ");

      // when the same run is made without it
      long freeStart = System.nanoTime();
      CliRun free = build(proxy, "free", List.of());
      double freeSeconds = (System.nanoTime() - freeStart) / 1e9;
      long freeRefused = proxy.refused() - pacedRefused;

      // then the proxy bit, the pauses got every image through, and the summary counted the 429s
      assertThat(free.exitCode()).as(free.err()).isZero();
      assertThat(free.err()).contains("built " + IMAGES + ", skipped 0, failed 0");
      assertThat(freeRefused).isPositive();
      JsonNode freeUse = registry(dir.resolve("out-free"), proxy.host());
      assertThat(freeUse.path("rateLimited").asLong()).isEqualTo(freeRefused);
      System.out.printf(
          "RegistryBudgetIT: paced %d requests in %.1f s, 0 of them 429 (floor %.1f s);"
              + " unpaced %d 429s in %.1f s%n",
          requests, pacedSeconds, floor, freeRefused, freeSeconds);
    }
  }

  @Test
  void aRateLimitStormLongerThanTheImageTimeoutFailsTheImagesAsRateLimitedNamingTheHost()
      throws Exception {
    try (RateLimitingProxy proxy = RateLimitingProxy.start(TestRegistry.HOST, 0)) {
      // given a registry that answers every request 429 (no Retry-After), and a 15 s image timeout
      Path ids = Files.write(dir.resolve("storm.txt"), List.of("img-0", "img-1"));
      List<String> args = rig.buildArgs(ids, dir.resolve("out-storm"));
      set(args, "--dockerfile", dockerfile.toString());
      set(args, "--builder", "append");
      set(args, "--image", proxy.host() + "/" + rig.namespace + "/agent-storm");
      set(args, "--base-image-template", proxy.host() + "/" + rig.namespace + "/bases:one");
      args.addAll(
          List.of(
              "--min-free-gb",
              "0",
              "--workers",
              "2",
              "--image-timeout",
              "15s",
              "--max-retries",
              "0"));

      // when the run is made
      long start = System.nanoTime();
      CliRun run =
          CliRun.run(
              Map.of("DOCKER_HOST", "unix:///nonexistent.sock"), args.toArray(String[]::new));
      double seconds = (System.nanoTime() - start) / 1e9;

      // then each image failed within its timeout as rate-limited by that host, and the summary
      // and report say so
      assertThat(run.exitCode()).as(run.err()).isEqualTo(5);
      assertThat(seconds).isLessThan(60);
      String limited = "rate-limited by " + proxy.host();
      assertThat(run.err()).contains("failed 2").contains(limited);
      assertThat(Files.readAllLines(dir.resolve("out-storm/manifest.jsonl")))
          .hasSize(2)
          .allMatch(line -> line.contains(limited));
      assertThat(Files.readString(dir.resolve("out-storm/report.html"))).contains(limited);
      assertThat(registry(dir.resolve("out-storm"), proxy.host()).path("rateLimited").asLong())
          .isPositive();
    }
  }

  private static CliRun build(RateLimitingProxy proxy, String name, List<String> more) {
    List<String> args = rig.buildArgs(dir.resolve("ids.txt"), dir.resolve("out-" + name));
    set(args, "--dockerfile", dockerfile.toString());
    set(args, "--builder", "append");
    set(args, "--image", proxy.host() + "/" + rig.namespace + "/agent-" + name);
    set(args, "--base-image-template", proxy.host() + "/" + rig.namespace + "/bases:one");
    args.addAll(List.of("--min-free-gb", "0", "--workers", "4"));
    args.addAll(more);
    return CliRun.run(
        Map.of("DOCKER_HOST", "unix:///nonexistent.sock"), args.toArray(String[]::new));
  }

  private static JsonNode registry(Path output, String host) throws Exception {
    for (JsonNode r : JSON.readTree(output.resolve("summary.json").toFile()).path("registries")) {
      if (r.path("host").asText().equals(host)) {
        return r;
      }
    }
    throw new AssertionError("no registry " + host + " in " + output.resolve("summary.json"));
  }

  private static void set(List<String> args, String option, String value) {
    int at = args.indexOf(option);
    args.set(at + 1, value);
  }
}
