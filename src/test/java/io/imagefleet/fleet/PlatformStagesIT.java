package io.imagefleet.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.imagefleet.cli.CliRun;
import io.imagefleet.testing.BuildRig;
import io.imagefleet.testing.PlatformBases;
import io.imagefleet.testing.TestDocker;
import io.imagefleet.testing.TestRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code build --builder append --platform linux/amd64,linux/arm64} with an earlier stage against
 * the real registry and daemon: a stage that starts from a two-platform image and only copies is
 * built once per platform (the daemon's classic builder with {@code --platform}, no emulation), so
 * each platform's manifest gets its own agent layer holding that platform's files; a stage that
 * runs commands for a platform this machine can't run (no QEMU here) exits 2 naming it before the
 * sdist is built.
 */
class PlatformStagesIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String BOTH = "linux/amd64,linux/arm64";
  private static final int X86_64 = 62;
  private static final int AARCH64 = 183;

  @TempDir static Path dir;
  private static BuildRig rig;
  private static Path dataset;
  private static String tools;

  @BeforeAll
  static void bases() throws Exception {
    rig = BuildRig.create(dir);
    PlatformBases bases = PlatformBases.create(dir);
    String repo = TestRegistry.HOST + "/" + rig.namespace;
    tools = repo + "/tools:both";
    bases.pushIndex(List.of("amd64", "arm64"), "tools", tools);
    bases.pushIndex(List.of("amd64", "arm64"), "multi-1", repo + "/multi:multi-1");
    bases.pushImage("amd64", "pair-1 amd64", repo + "/bases:sweb.eval.x86_64.pair-1");
    bases.pushImage("arm64", "pair-1 arm64", repo + "/bases:sweb.eval.arm64.pair-1");
    dataset =
        Files.write(
            dir.resolve("instances.jsonl"),
            List.of(
                record("multi-1", repo + "/multi:multi-1"),
                record("pair-1", repo + "/bases:sweb.eval.{arch}.pair-1")));
  }

  @Test
  void aStageFromATwoPlatformImageIsBuiltPerPlatformAndEachManifestGetsItsOwnLayer()
      throws Exception {
    // given a stage that starts from a two-platform image and runs nothing
    Path dockerfile =
        Files.writeString(
            dir.resolve("tools.Dockerfile"),
            """
            ARG BASE_IMAGE
            FROM %s AS tools
            FROM ${BASE_IMAGE}
            ARG SDIST
            COPY --from=tools /bin/busybox /opt/agent/busybox
            COPY ${SDIST} /opt/agent/
            """
                .formatted(tools));

    // when the fleet is built for two platforms
    CliRun run = build("both", dockerfile, "--platform", BOTH);

    // then the stage was built once per platform, and each platform's manifest carries its own
    // agent layer whose busybox is that platform's, the sdist in both
    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.err())
        .contains("built 2, skipped 0, failed 0")
        .contains("built stage(s) tools for linux/amd64 once through the Docker daemon")
        .contains("built stage(s) tools for linux/arm64 once through the Docker daemon");
    Map<String, Set<String>> layersByArch = new TreeMap<>();
    Set<String> sdists = new TreeSet<>();
    Map<String, String> tags = new TreeMap<>();
    for (String line : Files.readAllLines(dir.resolve("out-both/manifest.jsonl"))) {
      JsonNode record = JSON.readTree(line);
      tags.put(record.path("instance").asText(), record.path("tags").get(0).asText());
    }
    assertThat(tags).containsOnlyKeys("multi-1", "pair-1");
    for (String id : tags.keySet()) {
      String tag = tags.get(id);
      String name = tag.substring(0, tag.lastIndexOf(':'));
      JsonNode index = PlatformBases.manifest(tag);
      assertThat(index.path("mediaType").asText()).as(tag).isEqualTo(PlatformBases.OCI_INDEX);
      Map<String, Integer> machines = new TreeMap<>();
      for (JsonNode child : index.path("manifests")) {
        String arch = child.path("platform").path("architecture").asText();
        String digest = child.path("digest").asText();
        JsonNode layers = PlatformBases.manifest(name + "@" + digest).path("layers");
        layersByArch
            .computeIfAbsent(arch, a -> new TreeSet<>())
            .add(layers.get(layers.size() - 1).path("digest").asText());
        Path rootfs = PlatformBases.unpack(name + "@" + digest, dir, id + arch);
        machines.put(arch, PlatformBases.elfMachine(rootfs.resolve("opt/agent/busybox")));
        assertThat(PlatformBases.elfMachine(rootfs.resolve("bin/busybox")))
            .as("the base's own busybox")
            .isEqualTo(machines.get(arch));
        assertThat(Files.readString(rootfs.resolve("marker"))).startsWith(id);
        Path sdist = rootfs.resolve("opt/agent/agent-0.1.tar.gz");
        assertThat(sdist).isRegularFile();
        sdists.add(PlatformBases.run("sha256sum", sdist.toString()).split(" ")[0]);
        assertThat(Files.list(rootfs.resolve("opt/agent")).toList()).hasSize(2);
      }
      assertThat(machines).containsExactly(Map.entry("amd64", X86_64), Map.entry("arm64", AARCH64));
    }
    // one layer per platform, shared by every image; one sdist in all
    assertThat(layersByArch.get("amd64")).hasSize(1);
    assertThat(layersByArch.get("arm64")).hasSize(1);
    assertThat(layersByArch.get("amd64")).doesNotContainAnyElementsOf(layersByArch.get("arm64"));
    assertThat(sdists).hasSize(1);
    // the daemon's copy of the stage's image is its own platform's again: built last
    assertThat(
            TestDocker.docker(Map.of(), "image", "inspect", "--format", "{{.Architecture}}", tools)
                .strip())
        .isEqualTo(AppendType.machineArchitecture());
  }

  @Test
  void aStageThatRunsCommandsForAPlatformThisMachineCantRunExitsTwoBeforeTheSdist()
      throws Exception {
    Path dockerfile =
        Files.writeString(
            dir.resolve("run.Dockerfile"),
            """
            ARG BASE_IMAGE
            FROM %s AS tools
            RUN cp /bin/busybox /busybox
            FROM ${BASE_IMAGE}
            ARG SDIST
            COPY --from=tools /busybox /opt/agent/busybox
            COPY ${SDIST} /opt/agent/
            """
                .formatted(tools));
    int sdistRuns = rig.sdistRuns();

    CliRun run = build("run", dockerfile, "--platform", BOTH);

    assertThat(run.exitCode()).as(run.err()).isEqualTo(2);
    assertThat(run.err())
        .contains("--platform linux/arm64: stage 'tools' runs commands")
        .contains("the Docker engine on this machine")
        .contains("can't run linux/arm64 commands")
        .contains("tonistiigi/binfmt --install arm64");
    assertThat(rig.sdistRuns()).as("the sdist is not built").isEqualTo(sdistRuns);
  }

  private static CliRun build(String name, Path dockerfile, String... extra) {
    List<String> args = rig.buildArgs(dataset, dir.resolve("out-" + name));
    args.set(args.indexOf("--dockerfile") + 1, dockerfile.toString());
    args.set(args.indexOf("--builder") + 1, "append");
    args.addAll(List.of(extra));
    args.addAll(List.of("--min-free-gb", "0", "--workers", "2"));
    return CliRun.run(args.toArray(String[]::new));
  }

  private static String record(String id, String base) {
    return JSON.createObjectNode().put("instance_id", id).put("base_image", base).toString();
  }
}
