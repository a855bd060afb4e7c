package io.imagefleet.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.imagefleet.cli.CliRun;
import io.imagefleet.testing.BuildRig;
import io.imagefleet.testing.ForwardingProxy;
import io.imagefleet.testing.PlatformBases;
import io.imagefleet.testing.RegistryWire;
import io.imagefleet.testing.TestRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How many requests an append image costs, counted by a proxy in front of the real registry: at
 * most {@value #PER_IMAGE} per image (base manifest and config included) plus one per base blob
 * that must be mounted, beyond the run's one-off calls (the agent layer, the first answer).
 */
class AppendRequestsIT {
  private static final int IMAGES = 12;
  private static final int PER_IMAGE = 7;

  /** The agent layer's check and upload, the target's first answer, the plan's tag checks. */
  private static final int ONE_OFF = 4;

  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path dir;
  private static BuildRig rig;

  @BeforeAll
  static void rig() throws Exception {
    rig = BuildRig.create(dir);
    Map<String, String> markers = new LinkedHashMap<>();
    IntStream.range(0, IMAGES).forEach(i -> markers.put("req-" + i, "base " + i));
    rig.pushBases(markers);
    Files.write(dir.resolve("ids.txt"), List.copyOf(markers.keySet()));
  }

  @Test
  void anAppendImageCostsAtMostSevenRequestsAndOneMountPerNewBaseBlob() throws Exception {
    // given a proxy that counts every request to the registry, and a base of its own per image
    // (a shared busybox layer and a marker layer each)
    Map<String, AtomicLong> byKind = new ConcurrentHashMap<>();
    HttpServer proxy =
        ForwardingProxy.start(
            TestRegistry.HOST,
            (method, path, status, body) ->
                byKind
                    .computeIfAbsent(
                        method + " " + kind(path) + " " + status, k -> new AtomicLong())
                    .incrementAndGet());
    String host = "127.0.0.1:" + proxy.getAddress().getPort();
    try {
      Path dockerfile =
          Files.writeString(
              dir.resolve("copy.Dockerfile"),
              "ARG BASE_IMAGE\nFROM ${BASE_IMAGE}\nARG SDIST\nCOPY ${SDIST} /opt/agent/\n");
      List<String> args = rig.buildArgs(dir.resolve("ids.txt"), dir.resolve("out"));
      set(args, "--dockerfile", dockerfile.toString());
      set(args, "--builder", "append");
      set(args, "--image", host + "/" + rig.namespace + "/agent-requests");
      set(args, "--base-image-template", host + "/" + rig.namespace + "/bases:{id}");
      args.addAll(List.of("--min-free-gb", "0", "--workers", "4"));

      // when the run is made
      CliRun run =
          CliRun.run(
              Map.of("DOCKER_HOST", "unix:///nonexistent.sock"), args.toArray(String[]::new));

      // then every image was built within the request count
      assertThat(run.exitCode()).as(run.err()).isZero();
      assertThat(run.err()).contains("built " + IMAGES + ", skipped 0, failed 0");
      long total = byKind.values().stream().mapToLong(AtomicLong::get).sum();
      long mounts = byKind.getOrDefault("POST blobs/uploads 201", new AtomicLong()).get();
      String breakdown = new TreeMap<>(byKind).toString();
      System.out.printf(
          "AppendRequestsIT: %d requests for %d images (%.2f per image, %d mounts of %d base"
              + " blobs): %s%n",
          total, IMAGES, (double) (total - mounts) / IMAGES, mounts, baseBlobs(), breakdown);
      assertThat(mounts).as(breakdown).isLessThanOrEqualTo(baseBlobs());
      assertThat(total - mounts)
          .as(breakdown)
          .isLessThanOrEqualTo((long) PER_IMAGE * IMAGES + ONE_OFF);
      // and every image is still keyed for a later --history run
      assertThat(Files.readAllLines(dir.resolve("out/manifest.jsonl")))
          .hasSize(IMAGES)
          .allMatch(line -> line.contains("\"key\":\"sha256:"));
    } finally {
      proxy.stop(0);
    }
  }

  @Test
  void aTwoPlatformImageCostsAtMostThirteenRequestsAndOneMountPerNewBaseBlob() throws Exception {
    // given {arch}-named single-platform bases (two per instance) behind a counting proxy
    PlatformBases bases = PlatformBases.create(dir);
    List<String> ids = List.of("two-0", "two-1", "two-2", "two-3");
    for (String id : ids) {
      bases.pushImage(
          "amd64", id, TestRegistry.HOST + "/" + rig.namespace + "/pbases:sweb.eval.x86_64." + id);
      bases.pushImage(
          "arm64", id, TestRegistry.HOST + "/" + rig.namespace + "/pbases:sweb.eval.arm64." + id);
    }
    Files.write(dir.resolve("two.txt"), ids);
    Map<String, AtomicLong> byKind = new ConcurrentHashMap<>();
    HttpServer proxy =
        ForwardingProxy.start(
            TestRegistry.HOST,
            (method, path, status, body) ->
                byKind
                    .computeIfAbsent(
                        method + " " + kind(path) + " " + status, k -> new AtomicLong())
                    .incrementAndGet());
    String host = "127.0.0.1:" + proxy.getAddress().getPort();
    try {
      Path dockerfile =
          Files.writeString(
              dir.resolve("copy2.Dockerfile"),
              "ARG BASE_IMAGE\nFROM ${BASE_IMAGE}\nARG SDIST\nCOPY ${SDIST} /opt/agent/\n");
      List<String> args = rig.buildArgs(dir.resolve("two.txt"), dir.resolve("out-two"));
      set(args, "--dockerfile", dockerfile.toString());
      set(args, "--builder", "append");
      set(args, "--image", host + "/" + rig.namespace + "/agent-two");
      set(
          args,
          "--base-image-template",
          host + "/" + rig.namespace + "/pbases:sweb.eval.{arch}.{id}");
      args.addAll(
          List.of("--platform", "linux/amd64,linux/arm64", "--min-free-gb", "0", "--workers", "4"));

      CliRun run =
          CliRun.run(
              Map.of("DOCKER_HOST", "unix:///nonexistent.sock"), args.toArray(String[]::new));

      // then per image: the tag check, per platform the base's manifest and config, the config's
      // POST and PUT and the manifest, then the index and the verify: 13, plus the mounts
      assertThat(run.exitCode()).as(run.err()).isZero();
      assertThat(run.err()).contains("built " + ids.size() + ", skipped 0, failed 0");
      long total = byKind.values().stream().mapToLong(AtomicLong::get).sum();
      long mounts = byKind.getOrDefault("POST blobs/uploads 201", new AtomicLong()).get();
      String breakdown = new TreeMap<>(byKind).toString();
      System.out.printf(
          "AppendRequestsIT: %d requests for %d two-platform images (%.2f per image, %d mounts):"
              + " %s%n",
          total, ids.size(), (double) (total - mounts) / ids.size(), mounts, breakdown);
      // a base that may be absent ({arch}) is one GET, not a HEAD first: the one HEAD that finds a
      // manifest is the verify
      assertThat(byKind.get("HEAD manifests 200")).as(breakdown).hasValue(ids.size());
      assertThat(mounts).as(breakdown).isLessThanOrEqualTo(2L * ids.size() + 2);
      assertThat(total - mounts).as(breakdown).isLessThanOrEqualTo(13L * ids.size() + ONE_OFF);
    } finally {
      proxy.stop(0);
    }
  }

  /** The distinct layers of the bases, each of which must be mounted once. */
  private static long baseBlobs() throws Exception {
    RegistryWire wire = new RegistryWire(TestRegistry.HOST);
    Set<String> digests = new HashSet<>();
    for (int i = 0; i < IMAGES; i++) {
      JsonNode manifest =
          JSON.readTree(wire.manifest(rig.namespace + "/bases", "req-" + i).bytes());
      manifest.path("layers").forEach(l -> digests.add(l.path("digest").asText()));
    }
    return digests.size();
  }

  private static String kind(String path) {
    List<String> parts = new ArrayList<>(List.of(path.split("/")));
    int at = Math.max(parts.indexOf("manifests"), parts.indexOf("blobs"));
    return at < 0 ? path : parts.get(at) + (parts.contains("uploads") ? "/uploads" : "");
  }

  private static void set(List<String> args, String option, String value) {
    args.set(args.indexOf(option) + 1, value);
  }
}
