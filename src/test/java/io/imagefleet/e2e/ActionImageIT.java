package io.imagefleet.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.imagefleet.testing.BuildRig;
import io.imagefleet.testing.TestDocker;
import io.imagefleet.testing.TestRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The action image run the way GitHub's runner runs a Docker action: workspace, file commands, home
 * and workflow directories mounted, the Docker socket mounted, INPUT_* and GITHUB_* set, --workdir
 * /github/workspace. One difference: --network host, since this machine's daemon has no bridge and
 * the registry listens on the host's loopback.
 */
class ActionImageIT {
  private static final String IMAGE = "imagefleet-action:it";

  /** The uid (and gid) GitHub's hosted runners run steps as. */
  private static final String RUNNER_USER = "1001";

  @TempDir static Path dir;
  private static String imageId;

  @BeforeAll
  static void buildTheImage() throws Exception {
    TestDocker.daemon().close();
    TestRegistry.require();
    List<String> command =
        new ArrayList<>(List.of(TestDocker.CLI, "build", "--network", "host", "-t", IMAGE));
    // The script prints the build args as its last line; its tools log elsewhere.
    String bases =
        run(List.of("bash", ".ci/action-bases"), Map.of(), 900)
            .lines()
            .reduce((first, second) -> second)
            .orElse("")
            .strip();
    // Covered here: the Dockerfile's build and runtime stages on local Debian bases, buildx left
    // out
    // (BUILDX=none); the default bases and the buildx download are what GitHub's CI builds.
    System.out.println("ActionImageIT: building the action image with " + bases);
    command.addAll(List.of(bases.split(" ")));
    command.add(".");
    run(command, Map.of("DOCKER_BUILDKIT", "1"), 1200);
    imageId = TestDocker.docker(Map.of(), "image", "inspect", "-f", "{{.Id}}", IMAGE).strip();
  }

  @Test
  void generateWritesTheWorkflowAndItsOutput() throws Exception {
    Runner runner = new Runner(dir.resolve("generate"));

    Runner.Result result =
        runner.run(
            Map.of(
                "INPUT_COMMAND",
                "generate",
                "INPUT_BENCHMARK",
                "swt-bench",
                "INPUT_SHARDS",
                "2",
                "INPUT_OUTPUT",
                "wf/swt.yml"));

    assertThat(result.exitCode()).as(result.console()).isZero();
    assertThat(Files.readString(runner.workspace.resolve("wf/swt.yml")))
        .contains("#   imagefleet generate swt-bench --shards 2 -o wf/swt.yml\n");
    assertThat(runner.outputs()).isEqualTo("workflow=wf/swt.yml\n");
  }

  @Test
  void preflightMeasuresTheHostsDataRootThroughItsOwnImage() throws Exception {
    Runner runner = new Runner(dir.resolve("preflight"));

    Runner.Result result =
        runner.run(
            Map.of(
                "INPUT_COMMAND",
                "preflight",
                "INPUT_MIN-FREE-GB",
                "1",
                "INPUT_KEEP-STORAGE-GB",
                "1000",
                "INPUT_PATH",
                "/github/workspace",
                "INPUT_JSON",
                "preflight.json"));

    assertThat(result.exitCode()).as(result.console()).isZero();
    assertThat(runner.outputs())
        .matches(
            "free-gb=\\d+\\.\\d\\d\nreclaimed-gb=\\d+\\.\\d\\d\nbuild-cache-gb=\\d+\\.\\d\\d\n");
    assertThat(runner.summary()).startsWith("### imagefleet preflight: ok\n");
    assertThat(Files.readString(runner.workspace.resolve("preflight.json")))
        .contains("\"method\" : \"helper container (" + imageId + ")\"");
  }

  @Test
  void preflightBelowTheThresholdExitsThree() throws Exception {
    Runner runner = new Runner(dir.resolve("threshold"));

    Runner.Result result =
        runner.run(
            Map.of(
                "INPUT_COMMAND",
                "preflight",
                "INPUT_MIN-FREE-GB",
                "100000",
                "INPUT_NO-PRUNE",
                "true"));

    assertThat(result.exitCode()).isEqualTo(3);
    assertThat(result.console()).contains("imagefleet: need 100000 GiB free on /var/lib/docker");
  }

  @Test
  void buildBuildsPushesAndReportsThroughTheRunnerFiles() throws Exception {
    BuildRig rig = BuildRig.create(dir.resolve("rig"));
    Map<String, String> markers = new LinkedHashMap<>();
    List.of("e2e-1", "e2e-2", "e2e-3").forEach(id -> markers.put(id, id));
    rig.pushBases(markers);
    Runner runner = new Runner(dir.resolve("build"));
    copyTree(rig.sdk, runner.workspace.resolve("sdk"));
    Files.copy(rig.dockerfile, runner.workspace.resolve("agent.Dockerfile"));
    Files.write(runner.workspace.resolve("ids.txt"), List.of("e2e-1", "e2e-2", "e2e-3"));
    Map<String, String> inputs = new LinkedHashMap<>();
    inputs.put("INPUT_COMMAND", "build");
    inputs.put("INPUT_BENCHMARK", "custom");
    inputs.put("INPUT_DATASET", "ids.txt");
    inputs.put("INPUT_BASE-IMAGE-TEMPLATE", rig.baseTemplate());
    inputs.put("INPUT_SDK", "sdk");
    inputs.put("INPUT_SDIST-COMMAND", "tar czf {out}/agent-0.1.tar.gz pyproject.toml");
    inputs.put("INPUT_DOCKERFILE", "agent.Dockerfile");
    inputs.put("INPUT_IMAGE", rig.image());
    inputs.put("INPUT_NETWORK", "none");
    inputs.put("INPUT_MIN-FREE-GB", "1");
    inputs.put("INPUT_WORKERS", "2");
    inputs.put("INPUT_PUSH", "true");
    inputs.put("INPUT_REGISTRY-PASSWORD", "not-a-real-t0ken");

    Runner.Result result = runner.run(inputs);

    assertThat(result.exitCode()).as(result.console()).isZero();
    assertThat(result.console()).startsWith("::add-mask::not-a-real-t0ken\n");
    // The runner consumes ::add-mask:: lines; the token appears nowhere else.
    assertThat(result.console().lines().filter(line -> line.contains("not-a-real-t0ken")))
        .allMatch(line -> line.equals("::add-mask::not-a-real-t0ken"));
    assertThat(runner.outputs())
        .isEqualTo(
            "built=3\nskipped=0\nretagged=0\nfailed=0\nmanifest=imagefleet-out/manifest.jsonl\n");
    assertThat(runner.summary())
        .startsWith("### imagefleet build: done\n")
        .contains("| 3 | 3 | 0 | 0 | 0 | 0 | 0 |");
    assertThat(Files.readAllLines(runner.workspace.resolve("imagefleet-out/manifest.jsonl")))
        .hasSize(3);
    String sdk7 = rig.commit().substring(0, 7);
    assertThat(
            TestRegistry.headManifest(rig.namespace + "/agent", sdk7 + "-bases-e2e-2").statusCode())
        .isEqualTo(200);
  }

  /**
   * GitHub runs a Docker action as root over directories its runner's user owns; the steps after it
   * (upload-artifact, a script) run as that user. Every file the action writes there must be
   * readable, and every directory traversable, by that user.
   */
  @Test
  void everyOutputIsReadableByTheRunnersUserThoughTheActionRunsAsRoot(@TempDir Path owned)
      throws Exception {
    BuildRig rig = BuildRig.create(dir.resolve("owned-rig"));
    rig.pushBases(Map.of("own-1", "own-1", "own-2", "own-2"));
    Files.setPosixFilePermissions(owned, PosixFilePermissions.fromString("rwxr-xr-x"));
    Runner runner = new Runner(owned);
    copyTree(rig.sdk, runner.workspace.resolve("sdk"));
    Files.copy(rig.dockerfile, runner.workspace.resolve("agent.Dockerfile"));
    Files.write(runner.workspace.resolve("ids.txt"), List.of("own-1", "own-2"));
    run(List.of("chown", "-R", RUNNER_USER + ":" + RUNNER_USER, owned.toString()), Map.of(), 60);
    Map<String, String> instances = new LinkedHashMap<>();
    instances.put("INPUT_BENCHMARK", "custom");
    instances.put("INPUT_DATASET", "ids.txt");
    instances.put("INPUT_BASE-IMAGE-TEMPLATE", rig.baseTemplate());
    instances.put("INPUT_SDK", "sdk");
    instances.put("INPUT_IMAGE", rig.image());
    Map<String, String> build = new LinkedHashMap<>(instances);
    build.put("INPUT_COMMAND", "build");
    build.put("INPUT_SDIST-COMMAND", "tar czf {out}/agent-0.1.tar.gz pyproject.toml");
    build.put("INPUT_DOCKERFILE", "agent.Dockerfile");
    build.put("INPUT_NETWORK", "none");
    build.put("INPUT_MIN-FREE-GB", "1");
    Map<String, String> check = new LinkedHashMap<>(instances);
    check.put("INPUT_COMMAND", "check");

    List<Runner.Result> results =
        List.of(
            runner.run(build),
            runner.run(check),
            runner.run(
                Map.of(
                    "INPUT_COMMAND",
                    "generate",
                    "INPUT_BENCHMARK",
                    "swe-bench",
                    "INPUT_OUTPUT",
                    "wf/swe.yml")),
            runner.run(
                Map.of(
                    "INPUT_COMMAND",
                    "preflight",
                    "INPUT_MIN-FREE-GB",
                    "1",
                    "INPUT_NO-PRUNE",
                    "true",
                    "INPUT_JSON",
                    "preflight/disk.json")),
            runner.run(
                Map.of(
                    "INPUT_COMMAND",
                    "report",
                    "INPUT_DIR",
                    "imagefleet-out",
                    "INPUT_OUTPUT",
                    "merged")));

    assertThat(results).allSatisfy(r -> assertThat(r.exitCode()).as(r.console()).isZero());
    List<String> written;
    try (var paths = Files.walk(runner.workspace)) {
      written =
          paths
              .filter(p -> !p.startsWith(runner.workspace.resolve("sdk")))
              .map(p -> runner.workspace.relativize(p).toString())
              .toList();
    }
    assertThat(written)
        .contains(
            "imagefleet-out/report.html",
            "imagefleet-out/manifest.jsonl",
            "imagefleet-out/summary.md",
            "imagefleet-out/summary.json",
            "imagefleet-out/logs/own-1.log",
            "imagefleet-out/check.jsonl",
            "wf/swe.yml",
            "preflight/disk.json",
            "merged/report.html");
    // As the runner's user: list what it cannot read or enter, then read every file through.
    String asRunner =
        run(
            List.of(
                "setpriv",
                "--reuid",
                RUNNER_USER,
                "--regid",
                RUNNER_USER,
                "--clear-groups",
                "sh",
                "-c",
                "find \"$0\" ! -readable -printf 'unreadable %p\\n' -o -type d ! -executable"
                    + " -printf 'closed %p\\n'; find \"$0\" -type f -exec cat {} + >/dev/null"
                    + " && echo read-all",
                owned.toString()),
            Map.of(),
            60);
    assertThat(asRunner).isEqualTo("read-all\n");
  }

  @Test
  void anUnknownCommandExitsTwo() throws Exception {
    Runner.Result result =
        new Runner(dir.resolve("unknown")).run(Map.of("INPUT_COMMAND", "deploy"));

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.console())
        .isEqualTo(
            "imagefleet: input command: unknown command 'deploy'; use preflight, build, check, mirror, retain, generate or report\n");
  }

  /** The directories a runner mounts into a Docker action, and the docker run it makes. */
  static final class Runner {
    final Path workspace;
    final Path fileCommands;
    final Path home;
    final Path workflow;

    record Result(int exitCode, String console) {}

    Runner(Path root) throws IOException {
      workspace = Files.createDirectories(root.resolve("workspace"));
      fileCommands = Files.createDirectories(root.resolve("_runner_file_commands"));
      home = Files.createDirectories(root.resolve("_github_home"));
      workflow = Files.createDirectories(root.resolve("_github_workflow"));
      Files.writeString(fileCommands.resolve("set_output"), "");
      Files.writeString(fileCommands.resolve("step_summary"), "");
    }

    Result run(Map<String, String> inputs) throws Exception {
      List<String> command =
          new ArrayList<>(
              List.of(
                  TestDocker.CLI,
                  "run",
                  "--rm",
                  "--network",
                  "host",
                  "--workdir",
                  "/github/workspace",
                  "-v",
                  "/var/run/docker.sock:/var/run/docker.sock",
                  "-v",
                  workspace + ":/github/workspace",
                  "-v",
                  fileCommands + ":/github/file_commands",
                  "-v",
                  home + ":/github/home",
                  "-v",
                  workflow + ":/github/workflow"));
      Map<String, String> env = new LinkedHashMap<>(inputs);
      env.put("HOME", "/github/home");
      env.put("GITHUB_ACTIONS", "true");
      env.put("CI", "true");
      env.put("GITHUB_WORKSPACE", "/github/workspace");
      env.put("GITHUB_REPOSITORY", "acme/agent-sdk");
      env.put("GITHUB_OUTPUT", "/github/file_commands/set_output");
      env.put("GITHUB_STEP_SUMMARY", "/github/file_commands/step_summary");
      env.forEach((k, v) -> command.addAll(List.of("-e", k + "=" + v)));
      command.add(IMAGE);
      Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
      String console = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(process.waitFor(600, TimeUnit.SECONDS)).isTrue();
      return new Result(process.exitValue(), console);
    }

    String outputs() throws IOException {
      return Files.readString(fileCommands.resolve("set_output"));
    }

    String summary() throws IOException {
      return Files.readString(fileCommands.resolve("step_summary"));
    }
  }

  private static String run(List<String> command, Map<String, String> env, int seconds)
      throws Exception {
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().putAll(env);
    Process process = builder.start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(seconds, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as(String.join(" ", command) + "\n" + output).isZero();
    return output;
  }

  private static void copyTree(Path from, Path to) throws IOException {
    try (var paths = Files.walk(from)) {
      for (Path p : paths.toList()) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.copy(p, target);
        }
      }
    }
  }
}
