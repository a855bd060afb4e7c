package io.imagefleet.preflight;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.imagefleet.cli.CliRun;
import io.imagefleet.docker.DockerJavaDaemon;
import io.imagefleet.testing.TestDocker;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** preflight against the real daemon that .ci/run starts. */
class PreflightIT {
  static final String HELPER = "imagefleet-test/helper:busybox";
  private static final Path FAKE_DOCKER =
      Path.of("src/test/resources/fake-docker/docker").toAbsolutePath();
  private static final ObjectMapper JSON = new ObjectMapper();

  private static DockerJavaDaemon daemon;

  @TempDir Path dir;

  @BeforeAll
  static void rig() throws Exception {
    daemon = TestDocker.daemon();
    TestDocker.buildBusyboxImage(HELPER, "helper", Map.of());
  }

  @AfterAll
  static void close() {
    if (daemon != null) {
      daemon.close();
    }
  }

  @Test
  void prunesTheDaemonsBuildCacheAndReportsWhatTheDaemonFreed() throws Exception {
    createBuildCache(24);
    long cacheBefore = daemon.usage().buildCache();
    assertThat(cacheBefore).as("build cache made by the test").isGreaterThan(20L << 20);

    Path json = dir.resolve("report.json");
    CliRun run =
        preflight(env(), "--keep-storage-gb", "0", "--min-free-gb", "0", "--json", json.toString());

    assertThat(run.exitCode()).as(run.err()).isZero();
    long cacheAfter = daemon.usage().buildCache();
    assertThat(cacheAfter).isLessThan(cacheBefore);
    JsonNode report = JSON.readTree(json.toFile());
    long reportedBefore = report.at("/usageBefore/buildCache").asLong();
    long reportedAfter = report.at("/usageAfter/buildCache").asLong();
    assertThat(reportedBefore).isEqualTo(cacheBefore);
    assertThat(reportedAfter).isEqualTo(cacheAfter);
    JsonNode step = step(report, "build cache (daemon)");
    assertThat(step.path("reclaimedBytes").asLong()).isEqualTo(reportedBefore - reportedAfter);
    assertThat(run.err()).contains("build cache (daemon)").contains("ok: ");
  }

  @Test
  void measuresTheDataRootThroughAHelperContainer() throws Exception {
    Path json = dir.resolve("report.json");
    CliRun direct =
        preflight(
            env(),
            "--no-prune",
            "--min-free-gb",
            "0",
            "--probe",
            "direct",
            "--json",
            json.toString());
    JsonNode directRoot = JSON.readTree(json.toFile()).at("/before/0");

    CliRun helper =
        preflight(
            env(),
            "--no-prune",
            "--min-free-gb",
            "0",
            "--probe",
            "helper",
            "--helper-image",
            HELPER,
            "--json",
            json.toString());

    assertThat(direct.exitCode()).as(direct.err()).isZero();
    assertThat(helper.exitCode()).as(helper.err()).isZero();
    JsonNode helperRoot = JSON.readTree(json.toFile()).at("/before/0");
    assertThat(helperRoot.path("method").asText()).isEqualTo("helper container (" + HELPER + ")");
    assertThat(directRoot.path("method").asText()).isEqualTo("direct");
    assertThat(helperRoot.path("totalBytes").asLong())
        .isCloseTo(
            directRoot.path("totalBytes").asLong(),
            org.assertj.core.data.Percentage.withPercentage(1));
    assertThat(helperRoot.path("freeBytes").asLong())
        .isCloseTo(
            directRoot.path("freeBytes").asLong(),
            org.assertj.core.data.Percentage.withPercentage(2));
  }

  @Test
  void aHelperImageThatCannotRunDfIsReportedAndFailsWithoutAllowUnmeasured() throws Exception {
    CliRun run =
        preflight(
            env(),
            "--no-prune",
            "--min-free-gb",
            "0",
            "--probe",
            "helper",
            "--helper-image",
            "imagefleet-test/absent:1");

    assertThat(run.exitCode()).isEqualTo(3);
    assertThat(run.err())
        .contains("imagefleet: could not measure Docker data root (")
        .contains("helper container failed (imagefleet-test/absent:1: ")
        .endsWith("; fix that, or pass --allow-unmeasured to go on without it\n");

    CliRun allowed =
        preflight(
            env(),
            "--no-prune",
            "--min-free-gb",
            "0",
            "--probe",
            "helper",
            "--helper-image",
            "imagefleet-test/absent:1",
            "--allow-unmeasured");
    assertThat(allowed.exitCode()).as(allowed.err()).isZero();
    assertThat(allowed.err()).contains("NOT MEASURED");
  }

  @Test
  void writesOutputsAndAStepSummary() throws Exception {
    Path outputs = dir.resolve("outputs");
    Path summary = dir.resolve("summary");
    Map<String, String> env = env();
    env.put("GITHUB_OUTPUT", outputs.toString());
    env.put("GITHUB_STEP_SUMMARY", summary.toString());

    CliRun run = preflight(env, "--min-free-gb", "0", "--path", dir.toString());

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(Files.readString(outputs))
        .matches(
            "free-gb=\\d+\\.\\d\\d\nreclaimed-gb=\\d+\\.\\d\\d\nbuild-cache-gb=\\d+\\.\\d\\d\n");
    assertThat(Files.readString(summary))
        .startsWith("### imagefleet preflight: ok\n")
        .contains("| Docker data root | ")
        .contains("| " + dir + " | ")
        .contains("| prune step | reclaimed | seconds | detail |")
        .contains("| stopped containers | ");
  }

  @Test
  void aMissingPathIsReportedNotSkipped() {
    Path missing = dir.resolve("no-such-dir");

    CliRun run = preflight(env(), "--no-prune", "--min-free-gb", "0", "--path", missing.toString());

    assertThat(run.exitCode()).isEqualTo(3);
    assertThat(run.err())
        .endsWith(
            "imagefleet: could not measure "
                + missing
                + " ("
                + missing
                + "): no such path visible to imagefleet;"
                + " fix that, or pass --allow-unmeasured to go on without it\n");
  }

  @ParameterizedTest
  @CsvSource({"v0.12.1, --keep-storage", "v0.18.0, --reserved-space", "v0.23.0, --reserved-space"})
  void prunesADockerContainerBuilderWithTheFlagItsBuildxTakes(String version, String flag)
      throws Exception {
    Path log = dir.resolve("calls");
    Path state = Files.writeString(dir.resolve("state"), Long.toString(3_000_000_000L));
    Map<String, String> env = env();
    env.putAll(
        Map.of(
            "FAKE_DOCKER_LOG",
            log.toString(),
            "FAKE_BUILDX_VERSION",
            version,
            "FAKE_BUILDX_STATE",
            state.toString()));
    Path json = dir.resolve("report.json");

    CliRun run =
        preflight(
            env,
            "--keep-storage-gb",
            "1",
            "--min-free-gb",
            "0",
            "--docker-cli",
            FAKE_DOCKER.toString(),
            "--json",
            json.toString());

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(log).as(run.err()).exists();
    List<String> calls = Files.readAllLines(log);
    assertThat(calls)
        .contains(
            "buildx prune --builder imagefleet-builder --force --all " + flag + " " + (1L << 30));
    JsonNode step = step(JSON.readTree(json.toFile()), "build cache (buildx imagefleet-builder)");
    assertThat(step.path("reclaimedBytes").asLong()).isEqualTo(3_000_000_000L - 1_070_000_000L);
    assertThat(run.err())
        .contains(
            "buildx: builder imagefleet-builder (docker-container) pruned with docker buildx prune");
  }

  @Test
  void aBuilderOnTheDockerDriverIsLeftToTheDaemonPrune() throws Exception {
    Path log = dir.resolve("calls");
    Map<String, String> env = env();
    env.putAll(
        Map.of(
            "FAKE_DOCKER_LOG",
            log.toString(),
            "FAKE_BUILDX_VERSION",
            "v0.20.0",
            "FAKE_BUILDX_DRIVER",
            "docker"));

    CliRun run = preflight(env, "--min-free-gb", "0", "--docker-cli", FAKE_DOCKER.toString());

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(Files.readAllLines(log)).containsExactly("buildx version", "buildx inspect");
    assertThat(run.err())
        .contains(
            "buildx: builder imagefleet-builder uses driver docker; its cache is the daemon's");
  }

  @Test
  void removesToolchainsThroughAHelperContainerWithTheHostRootMounted() throws Exception {
    Path host = Files.createDirectories(dir.resolve("host"));
    Path dotnet = Files.createDirectories(host.resolve("usr/share/dotnet/sdk"));
    Files.write(dotnet.resolve("big.bin"), new byte[8 << 20]);
    Path codeql = Files.createDirectories(host.resolve("opt/hostedtoolcache/CodeQL"));
    Path kept = Files.createDirectories(host.resolve("usr/share/keep-me"));
    Path json = dir.resolve("report.json");

    CliRun run =
        preflight(
            env(),
            "--remove-toolchains",
            "--host-root",
            host.toString(),
            "--helper-image",
            HELPER,
            "--min-free-gb",
            "0",
            "--json",
            json.toString());

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(dotnet.getParent()).doesNotExist();
    assertThat(codeql).doesNotExist();
    assertThat(kept).exists();
    JsonNode step = step(JSON.readTree(json.toFile()), "toolchains (--remove-toolchains)");
    assertThat(step.path("detail").asText()).isEqualTo("via " + HELPER);
    assertThat(step.path("seconds").asDouble()).isGreaterThanOrEqualTo(0);
  }

  @Test
  void removesNoToolchainsWithAGuessedImage() throws Exception {
    Path host = Files.createDirectories(dir.resolve("host-guess"));
    Path dotnet = Files.createDirectories(host.resolve("usr/share/dotnet/sdk"));

    CliRun run =
        preflight(
            env(), "--remove-toolchains", "--host-root", host.toString(), "--min-free-gb", "0");

    assertThat(run.exitCode()).as(run.err()).isEqualTo(2);
    assertThat(run.err())
        .isEqualTo(
            "imagefleet: --remove-toolchains outside imagefleet's own container needs"
                + " --helper-image IMAGE (an image you trust with the host's root)\n");
    assertThat(dotnet).exists();
  }

  static CliRun preflight(Map<String, String> env, String... args) {
    String[] argv = new String[args.length + 1];
    argv[0] = "preflight";
    System.arraycopy(args, 0, argv, 1, args.length);
    return CliRun.run(env, argv);
  }

  static Map<String, String> env() {
    Map<String, String> env = new HashMap<>();
    String host = System.getenv("DOCKER_HOST");
    if (host != null) {
      env.put("DOCKER_HOST", host);
    }
    return env;
  }

  private static JsonNode step(JsonNode report, String name) {
    for (JsonNode step : report.path("steps")) {
      if (step.path("name").asText().equals(name)) {
        return step;
      }
    }
    throw new AssertionError("no step " + name + " in " + report.path("steps"));
  }

  /**
   * A BuildKit build whose RUN writes {@code mib} MiB of unique data, leaving it as build cache.
   */
  private void createBuildCache(int mib) throws IOException, InterruptedException {
    Path context = Files.createDirectories(dir.resolve("cache-context"));
    Files.writeString(
        context.resolve("Dockerfile"),
        "FROM "
            + HELPER
            + "\nRUN dd if=/dev/urandom of=/blob bs=1M count="
            + mib
            + " && echo "
            + UUID.randomUUID()
            + "\n");
    TestDocker.docker(
        Map.of(),
        "build",
        "--network=none",
        "-q",
        "-t",
        "imagefleet-test/cache:" + UUID.randomUUID(),
        context.toString());
  }
}
