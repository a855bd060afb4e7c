package io.imagefleet.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.imagefleet.cli.CliRun;
import io.imagefleet.docker.DockerJavaDaemon;
import io.imagefleet.testing.BuildRig;
import io.imagefleet.testing.TestDocker;
import io.imagefleet.testing.TestRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The batch build against the real daemon and registry: 40 images, then the same 40 skipped. */
class BuildIT {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path dir;
  private static BuildRig rig;
  private static DockerJavaDaemon daemon;
  private static final List<String> IDS = new ArrayList<>();

  @BeforeAll
  static void rig() throws Exception {
    rig = BuildRig.create(dir);
    daemon = TestDocker.daemon();
    Map<String, String> markers = new LinkedHashMap<>();
    for (int i = 1; i <= 40; i++) {
      String id = String.format("repo__issue-%02d", i);
      IDS.add(id);
      markers.put(id.replace("__", "_1776_"), "base " + i);
    }
    rig.pushBases(markers);
    Files.write(dir.resolve("ids.txt"), IDS);
  }

  @AfterAll
  static void close() {
    if (daemon != null) {
      daemon.close();
    }
  }

  @Test
  void buildsFortyImagesWithOneSdistThenSkipsThemAll() throws Exception {
    Path output = dir.resolve("out");

    CliRun first = build(output, "--workers", "4", "--batch-size", "10");

    assertThat(first.exitCode()).as(first.err()).isZero();
    assertThat(rig.sdistRuns()).isEqualTo(1);
    String sdk7 = rig.commit().substring(0, 7);
    List<JsonNode> records = records(output);
    assertThat(records).hasSize(40);
    for (String id : IDS) {
      String tag = sdk7 + "-bases-" + id.replace("__", "_1776_");
      var head = TestRegistry.headManifest(rig.namespace + "/agent", tag);
      assertThat(head.statusCode()).as(tag).isEqualTo(200);
      JsonNode record =
          records.stream()
              .filter(r -> r.path("instance").asText().equals(id))
              .findFirst()
              .orElseThrow();
      assertThat(record.path("status").asText()).isEqualTo("built");
      assertThat(record.path("tags").get(0).asText()).isEqualTo(rig.image() + ":" + tag);
      assertThat(record.path("digest").asText())
          .isEqualTo(head.headers().firstValue("Docker-Content-Digest").orElseThrow());
      assertThat(daemon.imageExists(rig.image() + ":" + tag))
          .as("final image removed locally")
          .isFalse();
      assertThat(daemon.imageExists(rig.base(id.replace("__", "_1776_"))))
          .as("pulled base removed locally")
          .isFalse();
    }
    assertThat(Files.readString(output.resolve("logs/repo__issue-07.log"))).contains("Step 1/");
    assertThat(first.err()).doesNotContain("Step 1/").contains("[40/40]");
    assertThat(Files.exists(output.resolve("contexts/repo__issue-07"))).isFalse();
    JsonNode summary = JSON.readTree(output.resolve("summary.json").toFile());
    assertThat(summary.path("built").asInt()).isEqualTo(40);
    assertThat(summary.path("sdistBuilt").asBoolean()).isTrue();

    CliRun second = build(output, "--workers", "4", "--batch-size", "10");

    assertThat(second.exitCode()).as(second.err()).isZero();
    assertThat(rig.sdistRuns()).as("sdist reused from the cache").isEqualTo(1);
    assertThat(records(output))
        .hasSize(40)
        .allSatisfy(r -> assertThat(r.path("status").asText()).isEqualTo("skipped"));
    assertThat(Files.readString(output.resolve("summary.md")))
        .contains("| 40 | 0 | 40 | 0 | 0 | 0 |");

    CliRun dry = build(output, "--dry-run");
    CliRun forced = build(output, "--dry-run", "--force", "--instance-ids", "repo__issue-03");

    assertThat(dry.exitCode()).isZero();
    assertThat(dry.out().lines().toList())
        .hasSize(41)
        .first()
        .isEqualTo("instance\tbase\timage\tdecision");
    assertThat(dry.out().lines().skip(1)).allMatch(line -> line.endsWith("\tskip (in registry)"));
    assertThat(forced.out())
        .endsWith(
            "repo__issue-03\t"
                + rig.base("repo_1776_issue-03")
                + "\t"
                + rig.image()
                + ":"
                + sdk7
                + "-bases-repo_1776_issue-03\tbuild\n");
    assertThat(rig.sdistRuns()).as("a dry run builds nothing").isEqualTo(1);
  }

  private static CliRun build(Path output, String... extra) {
    List<String> args = rig.buildArgs(dir.resolve("ids.txt"), output);
    args.addAll(List.of("--min-free-gb", "0"));
    args.addAll(List.of(extra));
    return CliRun.run(Map.of(), args.toArray(String[]::new));
  }

  static List<JsonNode> records(Path output) throws Exception {
    List<JsonNode> records = new ArrayList<>();
    for (String line : Files.readAllLines(output.resolve("manifest.jsonl"))) {
      records.add(JSON.readTree(line));
    }
    return records;
  }
}
