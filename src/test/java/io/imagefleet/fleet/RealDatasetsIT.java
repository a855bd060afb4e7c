package io.imagefleet.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.imagefleet.cli.CliRun;
import io.imagefleet.testing.BuildRig;
import io.imagefleet.testing.TestDocker;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Datasets as they come: many instances on one base, identical final images, per-record bases for a
 * custom benchmark, and hostile ids. Against the real daemon and registry.
 */
class RealDatasetsIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  @TempDir static Path dir;
  private static BuildRig rig;

  @BeforeAll
  static void rig() throws Exception {
    rig = BuildRig.create(dir);
    rig.pushBases(Map.of("shared", "one base for all", "other", "another base", "evil", "evil"));
    // A base marked evil makes the build print workflow commands, then fail: its log tail is shown.
    Files.writeString(
        rig.dockerfile,
        BuildRig.DOCKERFILE
            + "RUN if grep -q evil /marker; then echo '::set-output name=built::999';"
            + " echo '  ::error file=README.md,line=1::from the build'; echo '::stop-commands::x';"
            + " echo '##[set-output name=a]b'; exit 7; fi\n");
  }

  @Test
  void eightInstancesOnOneBaseWithFourWorkersAllBuildAndLeaveNothingLocal() throws Exception {
    List<String> lines = new ArrayList<>();
    for (int i = 1; i <= 8; i++) {
      lines.add(record("shared-" + i, rig.base("shared")));
    }
    Path dataset = Files.write(dir.resolve("shared.jsonl"), lines);
    Path output = dir.resolve("shared-out");

    CliRun run = build(dataset, output, "--workers", "4", "--batch-size", "8");

    assertThat(run.exitCode()).as(run.err()).isZero();
    List<JsonNode> records = BuildIT.records(output);
    assertThat(records).hasSize(8).allMatch(r -> r.path("status").asText().equals("built"));
    assertThat(localImages()).noneMatch(image -> image.startsWith(rig.image()));
    assertThat(localImages()).doesNotContain(rig.base("shared"));
  }

  @Test
  void hostileIdsStayDataAndNothingOutsideTheOutputChanges() throws Exception {
    Path sibling = Files.createDirectories(dir.resolve("victim"));
    Files.writeString(sibling.resolve("keep.txt"), "precious");
    Path output = dir.resolve("hostile-out");
    List<String> ids =
        List.of(
            "../victim",
            "../../" + dir.getFileName() + "/victim",
            dir.resolve("victim").toString(),
            "a/b/c",
            "::error file=README.md,line=1::pwned",
            ".hidden",
            "é-ünïcode");
    List<String> lines = new ArrayList<>();
    ids.forEach(id -> lines.add(record(id, rig.base("other"))));
    lines.add(record("bad-base", "127.0.0.1:5000/Bad/Base:1 --evil"));
    lines.add(record("prints-commands", rig.base("evil")));
    Path dataset = Files.write(dir.resolve("hostile.jsonl"), lines);
    String before = snapshot(sibling);

    CliRun run =
        buildOnRunner(
            dataset, output, "--workers", "2", "--max-failures", "2", "--max-retries", "0");

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.err()).contains("::set-output name=built::999"); // shown, but escaped
    for (String line : (run.out() + run.err()).lines().toList()) {
      String trimmed = line.strip();
      if (trimmed.startsWith("::")) {
        assertThat(trimmed)
            .as("only imagefleet's own workflow commands start a line")
            .matches(
                "::(group|endgroup|add-mask)::.*|::error file=[^:]*/logs/[^:]*\\.log::.*"
                    + "|::stop-commands::[0-9a-f]{32}|::[0-9a-f]{32}::");
      }
      assertThat(trimmed).doesNotContain("##[");
    }
    assertThat(snapshot(sibling)).isEqualTo(before);
    assertThat(BuildIT.records(output))
        .filteredOn(r -> !r.path("instance").asText().matches("bad-base|prints-commands"))
        .extracting(r -> r.path("instance").asText())
        .containsExactlyInAnyOrderElementsOf(ids);
    JsonNode bad =
        BuildIT.records(output).stream()
            .filter(r -> r.path("instance").asText().equals("bad-base"))
            .findFirst()
            .orElseThrow();
    assertThat(bad.path("status").asText()).isEqualTo("failed");
    assertThat(bad.path("error").asText())
        .isEqualTo(
            "base image '127.0.0.1:5000/Bad/Base:1 --evil' is not a valid image reference"
                + " ([host/]name[:tag][@digest], name in lower case)");
    try (Stream<Path> logs = Files.list(output.resolve("logs"))) {
      assertThat(logs.map(p -> p.getFileName().toString()).collect(Collectors.toSet()))
          .contains("%2E.%2Fvictim.log", "a%2Fb%2Fc.log", "%2Ehidden.log");
    }
    assertThat(
            new ObjectMapper()
                .readTree(output.resolve("summary.json").toFile())
                .path("built")
                .asInt())
        .isEqualTo(ids.size());
  }

  @Test
  void aRegistryThatDoesNotAnswerStopsTheRunWithExitFourAndAReport() throws Exception {
    int closed;
    try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
      closed = socket.getLocalPort();
    }
    List<String> lines = new ArrayList<>();
    for (int i = 1; i <= 5; i++) {
      lines.add(record("gone-" + i, rig.base("shared")));
    }
    Path dataset = Files.write(dir.resolve("gone.jsonl"), lines);
    Path output = dir.resolve("gone-out");

    CliRun run =
        build(
            dataset,
            output,
            "--image",
            "127.0.0.1:" + closed + "/ns/agent",
            "--workers",
            "1",
            "--max-retries",
            "0");

    // then it is found before anything is built: exit 4 naming it, the report says unreachable
    assertThat(run.exitCode()).as(run.err()).isEqualTo(4);
    assertThat(run.err())
        .endsWith(
            "imagefleet: the --image registry 127.0.0.1:"
                + closed
                + " does not answer at http://127.0.0.1:"
                + closed
                + "/v2/; check the name and the network (plain HTTP needs --insecure-registry)\n");
    assertThat(output.resolve("manifest.jsonl")).doesNotExist();
    JsonNode summary = JSON.readTree(output.resolve("summary.json").toFile());
    assertThat(summary.path("stoppedEarly").asText()).isEqualTo("unreachable");
    assertThat(summary.path("notStarted").asInt()).isEqualTo(5);
  }

  private static String record(String id, String base) {
    return JSON.createObjectNode().put("instance_id", id).put("base_image", base).toString();
  }

  /** Every file under {@code root} with its content. */
  private static String snapshot(Path root) throws Exception {
    try (Stream<Path> files = Files.walk(root)) {
      StringBuilder all = new StringBuilder();
      for (Path p : files.sorted().toList()) {
        all.append(root.relativize(p)).append('=');
        all.append(Files.isRegularFile(p) ? Files.readString(p) : "<dir>").append('\n');
      }
      return all.toString();
    }
  }

  private static List<String> localImages() throws Exception {
    return TestDocker.docker(Map.of(), "images", "--format", "{{.Repository}}:{{.Tag}}")
        .lines()
        .toList();
  }

  private static CliRun buildOnRunner(Path dataset, Path output, String... extra) {
    return build(Map.of("GITHUB_ACTIONS", "true"), dataset, output, extra);
  }

  private static CliRun build(Path dataset, Path output, String... extra) {
    return build(Map.of(), dataset, output, extra);
  }

  /** A custom-benchmark build whose bases come from the records: no template. */
  private static CliRun build(Map<String, String> env, Path dataset, Path output, String... extra) {
    List<String> args = new ArrayList<>(rig.buildArgs(dataset, output));
    int template = args.indexOf("--base-image-template");
    args.subList(template, template + 2).clear();
    args.addAll(List.of("--min-free-gb", "0"));
    List<String> more = new ArrayList<>(List.of(extra));
    int image = more.indexOf("--image");
    if (image >= 0) {
      args.set(args.indexOf("--image") + 1, more.get(image + 1));
      more.subList(image, image + 2).clear();
    }
    args.addAll(more);
    return CliRun.run(env, args.toArray(String[]::new));
  }
}
