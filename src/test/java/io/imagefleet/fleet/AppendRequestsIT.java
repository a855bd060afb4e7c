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
    // when the run is made
    Counted counted =
        appendThroughProxy("ids.txt", "out", "agent-requests", "bases:{id}", List.of());

    // then every image was built within the request count
    assertThat(counted.run().exitCode()).as(counted.run().err()).isZero();
    assertThat(counted.run().err()).contains("built " + IMAGES + ", skipped 0, failed 0");
    System.out.printf(
        "AppendRequestsIT: %d requests for %d images (%d mounts of %d base blobs): %s%n",
        counted.total(), IMAGES, counted.mounts(), baseBlobs(), counted.breakdown());
    assertThat(counted.mounts()).as(counted.breakdown()).isLessThanOrEqualTo(baseBlobs());
    assertThat(counted.total() - counted.mounts())
        .as(counted.breakdown())
        .isLessThanOrEqualTo((long) PER_IMAGE * IMAGES + ONE_OFF);
    // and every image is still keyed for a later --history run
    assertThat(Files.readAllLines(dir.resolve("out/manifest.jsonl")))
        .hasSize(IMAGES)
        .allMatch(line -> line.contains("\"key\":\"sha256:"));
  }

  @Test
  void aTwoPlatformImageCostsAtMostThirteenRequestsAndOneMountPerNewBaseBlob() throws Exception {
    // given {arch}-named single-platform bases, two per instance
    PlatformBases bases = PlatformBases.create(dir);
    List<String> ids = List.of("two-0", "two-1", "two-2", "two-3");
    String repo = TestRegistry.HOST + "/" + rig.namespace + "/pbases:sweb.eval.";
    for (String id : ids) {
      bases.pushImage("amd64", id, repo + "x86_64." + id);
      bases.pushImage("arm64", id, repo + "arm64." + id);
    }
    Files.write(dir.resolve("two.txt"), ids);

    // when the run is made for both platforms
    Counted counted =
        appendThroughProxy(
            "two.txt",
            "out-two",
            "agent-two",
            "pbases:sweb.eval.{arch}.{id}",
            List.of("--platform", "linux/amd64,linux/arm64"));

    // then per image: the tag check, per platform the base's manifest and config, the config's
    // POST and PUT and the manifest, then the index and the verify: 13, plus the mounts
    assertThat(counted.run().exitCode()).as(counted.run().err()).isZero();
    assertThat(counted.run().err()).contains("built " + ids.size() + ", skipped 0, failed 0");
    String breakdown = counted.breakdown();
    System.out.printf(
        "AppendRequestsIT: %d requests for %d two-platform images (%d mounts): %s%n",
        counted.total(), ids.size(), counted.mounts(), breakdown);
    // a base that may be absent ({arch}) is one GET, not a HEAD first: the one HEAD that finds a
    // manifest is the verify
    assertThat(counted.byKind().get("HEAD manifests 200")).as(breakdown).hasValue(ids.size());
    assertThat(counted.mounts()).as(breakdown).isLessThanOrEqualTo(2L * ids.size() + 2);
    assertThat(counted.total() - counted.mounts())
        .as(breakdown)
        .isLessThanOrEqualTo(13L * ids.size() + ONE_OFF);
  }

  /** Requests of one run by method, kind and status. */
  private record Counted(CliRun run, Map<String, AtomicLong> byKind) {
    long total() {
      return byKind.values().stream().mapToLong(AtomicLong::get).sum();
    }

    long mounts() {
      return byKind.getOrDefault("POST blobs/uploads 201", new AtomicLong()).get();
    }

    String breakdown() {
      return new TreeMap<>(byKind).toString();
    }
  }

  /**
   * An append run of the instances in {@code ids} through a proxy that counts every request to the
   * registry: bases {@code bases} ({id} and {arch} templated) and image {@code image} in the rig's
   * namespace, behind the proxy.
   */
  private static Counted appendThroughProxy(
      String ids, String out, String image, String bases, List<String> extra) throws Exception {
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
      List<String> args = rig.buildArgs(dir.resolve(ids), dir.resolve(out));
      set(args, "--dockerfile", dockerfile.toString());
      set(args, "--builder", "append");
      set(args, "--image", host + "/" + rig.namespace + "/" + image);
      set(args, "--base-image-template", host + "/" + rig.namespace + "/" + bases);
      args.addAll(extra);
      args.addAll(List.of("--min-free-gb", "0", "--workers", "4"));
      CliRun run =
          CliRun.run(
              Map.of("DOCKER_HOST", "unix:///nonexistent.sock"), args.toArray(String[]::new));
      return new Counted(run, byKind);
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
