package io.imagefleet.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.imagefleet.cli.CliRun;
import io.imagefleet.testing.BuildRig;
import io.imagefleet.testing.ForwardingProxy;
import io.imagefleet.testing.TestRegistry;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Same content, same image, against the real daemon and registry (the images through a proxy that
 * logs every request): three images built with SDK commit A, then tagged for commit B with the same
 * sdist without a build or a blob upload, then built again for a changed sdist.
 */
class RetagIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final String COMMIT_A = "a".repeat(40);
  private static final String COMMIT_B = "b".repeat(40);
  private static final String COMMIT_C = "c".repeat(40);
  private static final String DOCKERFILE =
      """
      ARG BASE_IMAGE
      FROM ${BASE_IMAGE}
      ARG SDIST
      COPY ${SDIST} /opt/agent/
      """;

  @TempDir static Path dir;
  private static BuildRig rig;
  private static HttpServer proxy;
  private static final Queue<String> requests = new ConcurrentLinkedQueue<>();
  private static final List<String> IDS =
      List.of("repo__retag-1", "repo__retag-2", "repo__retag-3");

  @BeforeAll
  static void rig() throws Exception {
    rig = BuildRig.create(dir);
    Map<String, String> markers = new LinkedHashMap<>();
    IDS.forEach(id -> markers.put(id.replace("__", "_1776_"), "base " + id));
    rig.pushBases(markers);
    Files.write(dir.resolve("ids.txt"), IDS);
    Files.writeString(dir.resolve("agent.Dockerfile"), DOCKERFILE);
    proxy =
        ForwardingProxy.start(
            TestRegistry.HOST, (method, path, status, body) -> requests.add(method + " " + path));
  }

  @AfterAll
  static void close() {
    if (proxy != null) {
      proxy.stop(0);
    }
  }

  @Test
  void aNewCommitWithTheSameSdistRetagsEveryImageAndAChangedSdistBuilds() throws Exception {
    Path sdist =
        Files.writeString(
            Files.createDirectories(dir.resolve("v1")).resolve("agent-0.1.tar.gz"), "sdist one");
    Path first = dir.resolve("first");
    CliRun built = build(first, sdist, COMMIT_A);
    assertThat(built.exitCode()).as(built.err()).isZero();
    Map<String, JsonNode> before = records(first);
    assertThat(before.values())
        .allSatisfy(r -> assertThat(r.path("status").asText()).isEqualTo("built"))
        .allSatisfy(r -> assertThat(r.path("key").asText()).startsWith("sha256:"));

    requests.clear();
    Path second = dir.resolve("second");
    CliRun retagged =
        build(second, sdist, COMMIT_B, "--history", first.resolve("manifest.jsonl").toString());

    assertThat(retagged.exitCode()).as(retagged.err()).isZero();
    Map<String, JsonNode> after = records(second);
    for (String id : IDS) {
      JsonNode record = after.get(id);
      assertThat(record.path("status").asText()).as(id).isEqualTo("retagged");
      assertThat(record.path("key").asText()).isEqualTo(before.get(id).path("key").asText());
      String tag = COMMIT_B.substring(0, 7) + "-bases-" + id.replace("__", "_1776_");
      assertThat(record.path("tags").get(0).asText()).isEqualTo(image() + ":" + tag);
      var head = TestRegistry.headManifest(rig.namespace + "/agent", tag);
      assertThat(head.statusCode()).isEqualTo(200);
      assertThat(head.headers().firstValue("Docker-Content-Digest").orElseThrow())
          .isEqualTo(before.get(id).path("digest").asText())
          .isEqualTo(record.path("digest").asText());
      assertThat(Files.readString(second.resolve("logs/" + id + ".log"))).contains("retagged");
    }
    List<String> seen = List.copyOf(requests);
    assertThat(seen).noneMatch(r -> r.matches("POST /v2/.+/blobs/uploads/.*"));
    assertThat(seen).noneMatch(r -> r.matches("(PUT|PATCH|HEAD|GET) /v2/.+/blobs/.*"));
    assertThat(seen.stream().filter(r -> r.matches("PUT /v2/.+/manifests/.*"))).hasSize(3);
    JsonNode summary = JSON.readTree(second.resolve("summary.json").toFile());
    assertThat(summary.path("retagged").asInt()).isEqualTo(3);
    assertThat(summary.path("built").asInt()).isZero();
    assertThat(Files.readString(second.resolve("summary.md"))).contains("| 3 | 0 | 0 | 3 | 0 |");

    Path changed =
        Files.writeString(
            Files.createDirectories(dir.resolve("v2")).resolve("agent-0.1.tar.gz"), "sdist two");
    Path third = dir.resolve("third");
    CliRun rebuilt =
        build(third, changed, COMMIT_C, "--history", second.resolve("manifest.jsonl").toString());

    assertThat(rebuilt.exitCode()).as(rebuilt.err()).isZero();
    assertThat(records(third).values())
        .allSatisfy(r -> assertThat(r.path("status").asText()).isEqualTo("built"))
        .allSatisfy(
            r ->
                assertThat(r.path("digest").asText())
                    .isNotEqualTo(before.get(r.path("instance").asText()).path("digest").asText()));
  }

  private static String image() {
    return "127.0.0.1:" + proxy.getAddress().getPort() + "/" + rig.namespace + "/agent";
  }

  private static CliRun build(Path output, Path sdist, String commit, String... extra) {
    List<String> args = rig.buildArgs(dir.resolve("ids.txt"), output);
    args.set(args.indexOf("--image") + 1, image());
    args.addAll(List.of("--min-free-gb", "0", "--sdist", sdist.toString(), "--sdk-commit", commit));
    args.addAll(List.of(extra));
    return CliRun.run(Map.of(), args.toArray(String[]::new));
  }

  private static Map<String, JsonNode> records(Path output) throws Exception {
    Map<String, JsonNode> records = new LinkedHashMap<>();
    for (String line : Files.readAllLines(output.resolve("manifest.jsonl"))) {
      JsonNode record = JSON.readTree(line);
      records.put(record.path("instance").asText(), record);
    }
    assertThat(records).containsOnlyKeys(IDS);
    return records;
  }
}
