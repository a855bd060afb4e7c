package io.imagefleet.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.imagefleet.cli.CliRun;
import io.imagefleet.registry.Platform;
import io.imagefleet.testing.BuildRig;
import io.imagefleet.testing.PlatformBases;
import io.imagefleet.testing.TestRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code build --builder append --platform linux/amd64,linux/arm64} against the real registry, on
 * bases made here without emulation (Debian's static busybox for each architecture): from a
 * multi-platform base index and from {@code {arch}}-named single-platform bases, each tag becomes
 * an OCI image index of both platforms on their own bases with one shared agent layer; a base
 * without arm64 gives an index without it, listed; {@code check --platform} finds the gap.
 */
class MultiPlatformIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String BOTH = "linux/amd64,linux/arm64";
  private static final int X86_64 = 62;
  private static final int AARCH64 = 183;

  @TempDir static Path dir;
  private static BuildRig rig;
  private static Path dataset;
  private static Path dockerfile;

  @BeforeAll
  static void bases() throws Exception {
    rig = BuildRig.create(dir);
    PlatformBases bases = PlatformBases.create(dir);
    String repo = TestRegistry.HOST + "/" + rig.namespace;
    // {arch}-named pairs: pair-1 has both, pair-2 only x86_64
    bases.pushImage("amd64", "pair-1 amd64", repo + "/bases:sweb.eval.x86_64.pair-1");
    bases.pushImage("arm64", "pair-1 arm64", repo + "/bases:sweb.eval.arm64.pair-1");
    bases.pushImage("amd64", "pair-2 amd64", repo + "/bases:sweb.eval.x86_64.pair-2");
    // multi-platform bases: multi-1 an index of both, multi-2 an index of amd64 only
    bases.pushIndex(List.of("amd64", "arm64"), "multi-1", repo + "/multi:multi-1");
    bases.pushIndex(List.of("amd64"), "multi-2", repo + "/multi:multi-2");
    List<String> lines = new ArrayList<>();
    for (String id : List.of("pair-1", "pair-2")) {
      lines.add(record(id, repo + "/bases:sweb.eval.{arch}." + id));
    }
    for (String id : List.of("multi-1", "multi-2")) {
      lines.add(record(id, repo + "/multi:" + id));
    }
    dataset = Files.write(dir.resolve("instances.jsonl"), lines);
    dockerfile =
        Files.writeString(
            dir.resolve("copy.Dockerfile"),
            """
            ARG BASE_IMAGE
            FROM ${BASE_IMAGE}
            ARG SDIST
            COPY ${SDIST} /opt/agent/
            ENV AGENT_SDIST=/opt/agent/${SDIST}
            """);
  }

  @Test
  void eachTagIsAnIndexOfBothPlatformsOnTheirOwnBasesWithOneAgentLayer() throws Exception {
    // given a one-platform run's images under the same tags
    CliRun single = build("single", "--platform", "linux/amd64");
    assertThat(single.exitCode()).as(single.err()).isZero();
    Map<String, JsonNode> before = records("single");
    assertThat(
            PlatformBases.manifest(before.get("pair-1").path("tags").get(0).asText())
                .path("mediaType")
                .asText())
        .isEqualTo("application/vnd.oci.image.manifest.v1+json");

    // when the fleet is built for two platforms
    CliRun both = build("both", "--platform", BOTH);

    // then no one-platform image counted as done; every tag is an index
    assertThat(both.exitCode()).as(both.err()).isZero();
    assertThat(both.err())
        .contains("built 4, skipped 0, failed 0")
        .as("two indexes of 2 manifests, two of 1, each with its index")
        .contains("; 10 manifest(s) pushed");
    Map<String, JsonNode> records = records("both");
    Set<String> agentLayers = new TreeSet<>();
    for (String id : List.of("pair-1", "multi-1")) {
      JsonNode record = records.get(id);
      assertThat(record.path("platforms")).hasSize(2);
      assertThat(record.has("missingPlatforms")).isFalse();
      String tag = record.path("tags").get(0).asText();
      JsonNode index = PlatformBases.manifest(tag);
      assertThat(index.path("mediaType").asText()).isEqualTo(PlatformBases.OCI_INDEX);
      assertThat(index.path("manifests")).hasSize(2);
      Map<String, Integer> machines = new TreeMap<>();
      for (JsonNode child : index.path("manifests")) {
        String digest = child.path("digest").asText();
        JsonNode image =
            PlatformBases.manifest(tag.substring(0, tag.lastIndexOf(':')) + "@" + digest);
        JsonNode config = PlatformBases.blob(tag, image.path("config").path("digest").asText());
        String arch = config.path("architecture").asText();
        assertThat(config.path("os").asText()).isEqualTo("linux");
        assertThat(child.path("platform").path("architecture").asText()).isEqualTo(arch);
        if (arch.equals("arm64")) {
          assertThat(config.path("variant").asText()).isEqualTo("v8");
          assertThat(child.path("platform").path("variant").asText()).isEqualTo("v8");
        }
        JsonNode layers = image.path("layers");
        agentLayers.add(layers.get(layers.size() - 1).path("digest").asText());
        Path rootfs =
            PlatformBases.unpack(
                tag.substring(0, tag.lastIndexOf(':')) + "@" + digest, dir, id + arch);
        machines.put(arch, PlatformBases.elfMachine(rootfs.resolve("bin/busybox")));
        assertThat(Files.readString(rootfs.resolve("marker")))
            .startsWith(id.startsWith("pair") ? id + " " + arch : id);
        assertThat(Files.list(rootfs.resolve("opt/agent")).toList()).hasSize(1);
      }
      assertThat(machines).containsExactly(Map.entry("amd64", X86_64), Map.entry("arm64", AARCH64));
    }
    // one agent layer blob for every platform and image
    assertThat(agentLayers).hasSize(1);
    // bases without arm64: an index of amd64 alone, the gap recorded and listed
    for (String id : List.of("pair-2", "multi-2")) {
      JsonNode record = records.get(id);
      assertThat(record.path("status").asText()).isEqualTo("built");
      assertThat(record.path("platforms").toString()).isEqualTo("[\"linux/amd64\"]");
      assertThat(record.path("missingPlatforms").toString()).isEqualTo("[\"linux/arm64\"]");
      assertThat(PlatformBases.manifest(record.path("tags").get(0).asText()).path("manifests"))
          .hasSize(1);
    }
    String summary = Files.readString(dir.resolve("out-both/summary.md"));
    assertThat(summary)
        .contains("| linux/amd64 | 4 | 0 | 0 |")
        .contains("| linux/arm64 | 2 | 2 | 0 |")
        .contains("| pair-2 | linux/arm64 |")
        .contains("| multi-2 | linux/arm64 |");
    assertThat(Files.readString(dir.resolve("out-both/report.html")))
        .contains("<h2>Platforms</h2>")
        .contains("<tr><td>linux/arm64</td><td>2</td><td>2</td><td>0</td></tr>")
        .contains("pair-2 (linux/arm64)");

    // and check --platform finds the missing children
    CliRun check = CliRun.run(checkArgs().toArray(String[]::new));
    assertThat(check.exitCode()).as(check.out() + check.err()).isEqualTo(5);
    assertThat(check.out() + check.err())
        .contains("pair-2")
        .contains("multi-2")
        .contains("linux/arm64")
        .doesNotContain("pair-1 ");

    // and a second run skips the complete indexes and remakes the ones with a gap
    CliRun again = build("again", "--platform", BOTH);
    assertThat(again.err()).contains("built 2, skipped 2, failed 0");
    assertThat(records("again").get("pair-1").path("status").asText()).isEqualTo("skipped");
  }

  @Test
  void missingPlatformFailFailsTheImagesWhoseBaseLacksOne() throws Exception {
    CliRun run =
        build(
            "fail",
            "--platform",
            BOTH,
            "--missing-platform",
            "fail",
            "--image",
            rig.image() + "-fail");

    assertThat(run.exitCode()).as(run.err()).isNotZero();
    Map<String, JsonNode> records = records("fail");
    assertThat(records.get("pair-1").path("status").asText()).isEqualTo("built");
    assertThat(records.get("pair-2").path("status").asText()).isEqualTo("failed");
    assertThat(records.get("pair-2").path("error").asText())
        .contains("no linux/arm64 image")
        .contains("--missing-platform fail");
    assertThat(records.get("multi-2").path("status").asText()).isEqualTo("failed");
    // a repository of its own: the agent layer crossed once for both platforms of both images
    assertThat(run.err()).contains(" bytes in 1 agent layer upload(s);");
  }

  @Test
  void phasedBuildsAnEnvImagePerPlatformOnThatPlatformsBaseAndAppendsTheTailToEach()
      throws Exception {
    Path phased =
        Files.writeString(
            dir.resolve("phased.Dockerfile"),
            """
            ARG BASE_IMAGE
            FROM ${BASE_IMAGE} AS env
            WORKDIR /testbed
            ENV ENV_STAGE=1
            FROM env
            ARG SDIST
            COPY ${SDIST} /opt/agent/
            """);
    // No RUN in the env stage, so no emulation: arm64 env images are built here for real.
    CliRun run = phased("phased", phased);

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.err())
        .contains("built 4, skipped 0, failed 0")
        .contains("phased: 6 env image(s) built, 0 reused");
    Map<String, JsonNode> records = records("phased");
    for (String id : List.of("pair-1", "multi-1")) {
      String tag = records.get(id).path("tags").get(0).asText();
      JsonNode index = PlatformBases.manifest(tag);
      assertThat(index.path("mediaType").asText()).isEqualTo(PlatformBases.OCI_INDEX);
      Map<String, Integer> machines = new TreeMap<>();
      for (JsonNode child : index.path("manifests")) {
        String image = tag.substring(0, tag.lastIndexOf(':')) + "@" + child.path("digest").asText();
        JsonNode config =
            PlatformBases.blob(
                tag, PlatformBases.manifest(image).path("config").path("digest").asText());
        String arch = config.path("architecture").asText();
        assertThat(child.path("platform").path("architecture").asText()).isEqualTo(arch);
        assertThat(config.path("config").path("Env").toString()).contains("ENV_STAGE=1");
        Path rootfs = PlatformBases.unpack(image, dir, "phased-" + id + arch);
        machines.put(arch, PlatformBases.elfMachine(rootfs.resolve("bin/busybox")));
        assertThat(rootfs.resolve("testbed")).isDirectory();
        assertThat(Files.list(rootfs.resolve("opt/agent")).toList()).hasSize(1);
      }
      assertThat(machines).containsExactly(Map.entry("amd64", X86_64), Map.entry("arm64", AARCH64));
    }
    for (String id : List.of("pair-2", "multi-2")) {
      assertThat(records.get(id).path("missingPlatforms").toString())
          .isEqualTo("[\"linux/arm64\"]");
      assertThat(
              PlatformBases.manifest(records.get(id).path("tags").get(0).asText())
                  .path("manifests"))
          .hasSize(1);
    }

    // a second run reuses every env image and skips every complete index
    CliRun again = phased("phased-again", phased);
    assertThat(again.err())
        .contains("built 2, skipped 2, failed 0")
        .contains("0 env image(s) built");
  }

  @Test
  void phasedForOneForeignPlatformBuildsItsEnvImageOnThatPlatformsBaseImage() throws Exception {
    // given a multi-platform base index and an {arch} pair, and one platform: not this machine's
    Assumptions.assumeTrue(AppendType.machineArchitecture().equals("amd64"));
    String repo = TestRegistry.HOST + "/" + rig.namespace;
    Path arm = dir.resolve("arm.jsonl");
    Files.write(
        arm,
        List.of(
            record("multi-1", repo + "/multi:multi-1"),
            record("pair-1", repo + "/bases:sweb.eval.{arch}.pair-1")));
    Path phased =
        Files.writeString(
            dir.resolve("phased-one.Dockerfile"),
            """
            ARG BASE_IMAGE
            FROM ${BASE_IMAGE} AS env
            WORKDIR /testbed
            FROM env
            ARG SDIST
            COPY ${SDIST} /opt/agent/
            """);
    List<String> args = rig.buildArgs(arm, dir.resolve("out-arm"));
    args.set(args.indexOf("--dockerfile") + 1, phased.toString());
    args.set(args.indexOf("--builder") + 1, "phased");
    args.set(args.indexOf("--image") + 1, rig.image() + "-arm");
    args.addAll(List.of("--platform", "linux/arm64", "--min-free-gb", "0", "--workers", "2"));

    CliRun run = CliRun.run(args.toArray(String[]::new));

    // then each image is arm64 through and through: config, and busybox from the arm64 base
    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.err()).contains("built 2, skipped 0, failed 0");
    Map<String, JsonNode> records = records("arm");
    for (String id : List.of("multi-1", "pair-1")) {
      String tag = records.get(id).path("tags").get(0).asText();
      JsonNode image = PlatformBases.manifest(tag);
      assertThat(image.has("manifests")).isFalse();
      JsonNode config = PlatformBases.blob(tag, image.path("config").path("digest").asText());
      assertThat(config.path("architecture").asText()).isEqualTo("arm64");
      Path rootfs = PlatformBases.unpack(tag, dir, "arm-" + id);
      assertThat(PlatformBases.elfMachine(rootfs.resolve("bin/busybox"))).isEqualTo(AARCH64);
      assertThat(rootfs.resolve("testbed")).isDirectory();
    }
  }

  @Test
  void phasedRefusesAnEnvStageThatRunsCommandsWhereTheEngineCantRunThem() throws Exception {
    Assumptions.assumeFalse(
        CommandPlatforms.engine(CommandPlatforms.BINFMT, AppendType.machineArchitecture())
            .runs(Platform.parse("linux/arm64")),
        "this machine runs arm64 commands");
    Path runs =
        Files.writeString(
            dir.resolve("runs.Dockerfile"),
            """
            ARG BASE_IMAGE
            FROM ${BASE_IMAGE}
            RUN mkdir /testbed
            ARG SDIST
            COPY ${SDIST} /opt/agent/
            """);
    CliRun run = phased("phased-runs", runs);
    assertThat(run.exitCode()).as(run.err()).isEqualTo(2);
    assertThat(run.err())
        .contains("--platform linux/arm64: the env stage (the Dockerfile up to line")
        .contains("can't run linux/arm64 commands")
        .contains("tonistiigi/binfmt --install arm64")
        .doesNotContain("sdist");
  }

  private static CliRun phased(String name, Path dockerfile) {
    List<String> args = rig.buildArgs(dataset, dir.resolve("out-" + name));
    args.set(args.indexOf("--dockerfile") + 1, dockerfile.toString());
    args.set(args.indexOf("--builder") + 1, "phased");
    args.set(args.indexOf("--image") + 1, rig.image() + "-" + name.replace("-again", ""));
    args.addAll(List.of("--platform", BOTH, "--min-free-gb", "0", "--workers", "2"));
    return CliRun.run(args.toArray(String[]::new));
  }

  private static List<String> checkArgs() {
    List<String> check = new ArrayList<>();
    check.addAll(
        List.of(
            "check",
            "--benchmark",
            "custom",
            "--dataset",
            dataset.toString(),
            "--sdk-commit",
            commit(),
            "--image",
            rig.image(),
            "--platform",
            BOTH,
            "--output",
            dir.resolve("out-check").toString()));
    return check;
  }

  private static String commit() {
    try {
      return rig.commit();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static CliRun build(String name, String... extra) {
    List<String> args = rig.buildArgs(dataset, dir.resolve("out-" + name));
    args.set(args.indexOf("--dockerfile") + 1, dockerfile.toString());
    args.set(args.indexOf("--builder") + 1, "append");
    for (int i = 0; i < extra.length; i += 2) {
      int at = args.indexOf(extra[i]);
      if (at >= 0) {
        args.set(at + 1, extra[i + 1]);
      } else {
        args.addAll(List.of(extra[i], extra[i + 1]));
      }
    }
    args.addAll(List.of("--min-free-gb", "0", "--workers", "2"));
    return CliRun.run(
        Map.of("DOCKER_HOST", "unix:///nonexistent.sock"), args.toArray(String[]::new));
  }

  private static Map<String, JsonNode> records(String name) throws Exception {
    Map<String, JsonNode> records = new LinkedHashMap<>();
    for (String line : Files.readAllLines(dir.resolve("out-" + name + "/manifest.jsonl"))) {
      JsonNode record = JSON.readTree(line);
      records.put(record.path("instance").asText(), record);
    }
    return records;
  }

  private static String record(String id, String base) {
    return JSON.createObjectNode().put("instance_id", id).put("base_image", base).toString();
  }
}
