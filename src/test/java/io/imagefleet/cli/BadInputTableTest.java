package io.imagefleet.cli;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.request;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import com.github.tomakehurst.wiremock.WireMockServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every bad input we try, run in-process through the CLI: each case asserts its exit code and a
 * message fragment, and together they generate the table in docs/RELIABILITY.md (a copy goes to
 * target/bad-inputs.md). Rewrite the doc with {@code mvn test -Dtest=BadInputTableTest
 * -Dimagefleet.updateDocs=true}.
 *
 * <p>{@link #PENDING} holds the cases whose fix is not merged yet, with the behaviour expected once
 * it is: they are reported as skipped while they still misbehave, and fail once they pass so that
 * they get moved to {@link #CASES}.
 */
class BadInputTableTest {
  private static final Path DOC = Path.of("docs", "RELIABILITY.md");
  private static final Path GENERATED = Path.of("target", "bad-inputs.md");
  private static final String BEGIN = "<!-- bad-inputs:begin -->\n";
  private static final String END = "<!-- bad-inputs:end -->";
  private static final String SHA = "0123456789abcdef0123456789abcdef01234567";

  @TempDir static Path dir;
  private static WireMockServer registry;
  private static int closedPort;
  private static final Map<Case, CliRun> RUNS = new ConcurrentHashMap<>();

  /**
   * One bad input: what it is, the exit code and message fragment expected, how to run it, and for
   * a pending case why it does not behave yet.
   */
  record Case(
      String input,
      int exit,
      String fragment,
      Map<String, String> env,
      List<String> argv,
      String pendingFix) {
    Case pending(String reason) {
      return new Case(input, exit, fragment, env, argv, reason);
    }
  }

  @BeforeAll
  static void fixtures() throws IOException {
    Files.writeString(dir.resolve("ids.txt"), "a-1\nb-2\n");
    Files.writeString(dir.resolve("agent-0.1.tar.gz"), "sdist");
    Files.writeString(
        dir.resolve("staged.Dockerfile"),
        "ARG BASE_IMAGE\nFROM scratch AS tools\nRUN [\"/make-tools\"]\nFROM ${BASE_IMAGE}\n"
            + "COPY --from=tools /opt/tools /opt/tools\n");
    Files.createDirectories(dir.resolve("sdk"));
    Files.createDirectories(dir.resolve("empty-dir"));
    Files.writeString(
        Files.createDirectories(dir.resolve("corrupt")).resolve("manifest.jsonl"), "{oops\n");
    Files.writeString(
        Files.createDirectories(dir.resolve("built")).resolve("manifest.jsonl"),
        "{\"instance\":\"a-1\",\"status\":\"built\",\"attempts\":1,\"seconds\":1}\n");
    jsonl("malformed", "{\"instance_id\":\"a\"}\n{oops\n");
    jsonl("no-id", "{\"base_image\":\"127.0.0.1:5000/ns/b:1\"}\n");
    jsonl("empty-id", "{\"instance_id\":\"\"}\n");
    jsonl("dot-dot", "{\"instance_id\":\"..\"}\n");
    jsonl("newline", "{\"instance_id\":\"a\\nb\"}\n");
    jsonl("long", "{\"instance_id\":\"" + "a".repeat(300) + "\"}\n");
    jsonl("empty", "");
    Files.writeString(dir.resolve("numbers.json"), "[1, 2]\n");
    try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = probe.getLocalPort();
    }
    // A registry that turns every request away, whatever the credentials.
    registry = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));
    registry.start();
    registry.stubFor(
        request("HEAD", anyUrl())
            .willReturn(
                aResponse()
                    .withStatus(401)
                    .withHeader("WWW-Authenticate", "Basic realm=\"registry\"")));
    registry.stubFor(
        request("POST", anyUrl())
            .willReturn(
                aResponse()
                    .withStatus(403)
                    .withBody(
                        "{\"errors\":[{\"code\":\"DENIED\",\"message\":\"requested access to"
                            + " the resource is denied\"}]}")));
  }

  @AfterAll
  static void stopRegistry() {
    registry.stop();
  }

  static List<Case> cases() {
    String closed = "127.0.0.1:" + closedPort;
    String wm = "127.0.0.1:" + registry.port();
    return List.of(
        // Dataset lines
        bad("dataset line: malformed JSON", 2, "line 2: not valid JSON", dataset("malformed")),
        bad("dataset `instance_id` `..`", 2, "line 1: ", dataset("dot-dot")),
        bad(
            "`--image-timeout 9999999999999999h`",
            2,
            "--image-timeout",
            build().with("--image-timeout", "9999999999999999h")),
        bad(
            "`--deadline 99999999999999999999m`",
            2,
            "--deadline",
            build().with("--deadline", "99999999999999999999m")),
        bad(
            "`IMAGEFLEET_REGISTRY_USERNAME` without `_PASSWORD`",
            2,
            "IMAGEFLEET_REGISTRY_PASSWORD",
            Map.of("IMAGEFLEET_REGISTRY_USERNAME", "bob"),
            build()),
        bad("dataset `instance_id` with a newline", 2, "line 1: ", dataset("newline")),
        bad("dataset `instance_id` of 300 characters", 2, "line 1: ", dataset("long")),
        bad(
            "dataset record without `instance_id`",
            2,
            "line 1: no \"instance_id\"",
            dataset("no-id")),
        bad(
            "dataset record with an empty `instance_id`",
            2,
            "line 1: no \"instance_id\"",
            dataset("empty-id")),
        bad(
            "dataset: a JSON array of numbers",
            2,
            "item 1: no \"instance_id\"",
            build().with("--dataset", file("numbers.json"))),
        bad("dataset: an empty file", 2, "no instances selected from --dataset", dataset("empty")),
        bad(
            "`--dataset` file that does not exist",
            2,
            "no such file",
            build().with("--dataset", file("nowhere.jsonl"))),
        bad(
            "`--dataset data/swe-bench.jsonl` (relative, missing): not taken for a Hugging Face id",
            2,
            "--dataset data/swe-bench.jsonl: no such file",
            build().with("--dataset", "data/swe-bench.jsonl").with("--hf-endpoint", closedUrl())),
        bad(
            "`--dataset ./instances` (missing): not taken for a Hugging Face id",
            2,
            "--dataset ./instances: no such file",
            build().with("--dataset", "./instances").with("--hf-endpoint", closedUrl())),
        bad(
            "`--dataset src/instances` (its parent exists, it doesn't)",
            2,
            "--dataset src/instances: no such file",
            build().with("--dataset", "src/instances").with("--hf-endpoint", closedUrl())),
        bad(
            "`--instance-ids` not in the dataset",
            2,
            "instances not in the dataset: zz-9",
            build().with("--instance-ids", "a-1,zz-9")),
        // Options
        bad(
            "a mistyped subcommand (`imagefleet biuld`)",
            2,
            "did you mean 'build'?",
            new Argv("biuld").with("--image", "r")),
        bad(
            "a mistyped benchmark or subcommand of generate (`generate retension`)",
            2,
            "unknown benchmark 'retension'; use swe-bench or swt-bench (did you mean 'retention'?)",
            new Argv("generate", "retension")),
        bad(
            "a mistyped option (`--wrokers 4`)",
            2,
            "Unknown options: '--wrokers', '4'; did you mean '--workers'?",
            build().with("--wrokers", "4")),
        bad(
            "a mistyped required option (`--datset`)",
            2,
            "Unknown options: '--datset',",
            build().without("--dataset").with("--datset", "ids.txt")),
        bad(
            "`--workers 0`",
            2,
            "--workers must be at least 1, got 0",
            build().with("--workers", "0")),
        bad(
            "`--batch-size 0`",
            2,
            "--batch-size must be at least 1",
            build().with("--batch-size", "0")),
        bad("`--shard 3/2`", 2, "--shard must be i/K", build().with("--shard", "3/2")),
        bad("`--shard x`", 2, "--shard must be i/K", build().with("--shard", "x")),
        bad(
            "`--image-timeout soon`",
            2,
            "--image-timeout must be a duration",
            build().with("--image-timeout", "soon")),
        bad(
            "`--image-timeout 0s`",
            2,
            "--image-timeout must be longer than zero",
            build().with("--image-timeout", "0s")),
        bad(
            "mirror: `--to` a registry that refuses pushes",
            4,
            "mirror: cannot push to " + wm + "/ns/bases",
            mirror(wm + "/ns/bases")),
        bad(
            "mirror: two bases of the selection would share a mirror tag",
            2,
            "both mirror to tag",
            new Argv("mirror")
                .with("--dataset", file("ids.txt"))
                .with("--benchmark", "custom")
                .with("--base-image-template", "127.0.0.1:" + closedPort + "/{id}/python:3")
                .with("--to", "127.0.0.1:" + closedPort + "/ns/m")),
        bad(
            "mirror: `--platform linux/amd64,` (an empty entry)",
            2,
            "--platform linux/amd64, has an empty entry; list platforms as linux/amd64,linux/arm64",
            mirror("127.0.0.1:" + closedPort + "/ns/m").with("--platform", "linux/amd64,")),
        bad(
            "mirror: `--missing-platform drop`",
            2,
            "--missing-platform must be skip or fail, got 'drop'",
            mirror("127.0.0.1:" + closedPort + "/ns/m")
                .with("--platform", "linux/amd64,linux/arm64")
                .with("--missing-platform", "drop")),
        bad(
            "`--registry-rate ghcr.io=fast` (not `HOST[:PORT]=N/min`)",
            2,
            "--registry-rate must be HOST[:PORT]=N/min such as ghcr.io=1500/min",
            build().with("--registry-rate", "ghcr.io=fast")),
        bad(
            "`--retry-backoff -5s`",
            2,
            "--retry-backoff must be a duration",
            build().with("--retry-backoff", "-5s")),
        bad(
            "`--max-retries -1`",
            2,
            "--max-retries must be at least 0",
            build().with("--max-retries", "-1")),
        bad("`--n-limit -3`", 2, "--n-limit must be at least 0", build().with("--n-limit", "-3")),
        bad(
            "`--network bridge`",
            2,
            "--network must be default, none or host",
            build().with("--network", "bridge")),
        bad(
            "`--builder kaniko`",
            2,
            "--builder must be auto, append, phased, buildx or engine",
            build().with("--builder", "kaniko")),
        bad(
            "`--buildx-builder nope` (no such buildx builder)",
            2,
            "--buildx-builder nope: no such buildx builder",
            FAKE_BUILDX,
            build().with("--docker-cli", FAKE_DOCKER).with("--buildx-builder", "nope")),
        bad(
            "`--buildx-builder rb` that does not answer",
            4,
            "--buildx-builder rb: the builder does not answer",
            withDown(FAKE_BUILDX, "rb"),
            build().with("--docker-cli", FAKE_DOCKER).with("--buildx-builder", "rb")),
        bad(
            "`--builder engine` with `--buildx-builder`",
            2,
            "--builder engine builds through the daemon's Engine API, not on a buildx builder",
            FAKE_BUILDX,
            build()
                .with("--docker-cli", FAKE_DOCKER)
                .with("--builder", "engine")
                .with("--buildx-builder", "rb")),
        bad(
            "`--builder append` with `--no-push`",
            2,
            "--builder append assembles images in the registry; drop --no-push",
            build().with("--builder", "append").with("--no-push", null)),
        bad(
            "`--builder phased` with the bundled Dockerfile (nothing runs on the base)",
            2,
            "this stage needs no env image (nothing runs on the base)",
            build().with("--builder", "phased")),
        bad(
            "`--platform linux`",
            2,
            "--platform linux is not os/architecture[/variant]",
            build().with("--platform", "linux")),
        bad(
            "`--platform linux/arm64,linux/arm64/v8` (one platform twice)",
            2,
            "names linux/arm64/v8 twice; name each platform once",
            build().with("--platform", "linux/arm64,linux/arm64/v8")),
        bad(
            "`--missing-platform drop`",
            2,
            "--missing-platform must be skip or fail, got 'drop'",
            build().with("--missing-platform", "drop")),
        bad(
            "`--builder append` with two `--platform`s, a stage that `RUN`s and a"
                + " `--buildx-builder` without arm64",
            2,
            "--platform linux/arm64: stage 'tools' runs commands, and buildx builder rb can't run"
                + " linux/arm64 commands",
            FAKE_BUILDX,
            build()
                .with("--builder", "append")
                .with("--dockerfile", file("staged.Dockerfile"))
                .with("--platform", "linux/amd64,linux/arm64")
                .with("--docker-cli", FAKE_DOCKER)
                .with("--buildx-builder", "rb")),
        bad(
            "`--builder engine` with two `--platform`s",
            2,
            "--builder engine builds for one platform; use --builder append, phased or buildx",
            build().with("--builder", "engine").with("--platform", "linux/amd64,linux/arm64")),
        bad(
            "`--benchmark swe`",
            2,
            "--benchmark must be swe-bench, swt-bench or custom",
            build().with("--benchmark", "swe")),
        bad(
            "`--image` with upper case",
            2,
            "is not a valid image repository",
            build().with("--image", "ghcr.io/Org/agent")),
        bad(
            "`--sdk-commit main`",
            2,
            "--sdk-commit must be a commit SHA",
            build().with("--sdk-commit", "main")),
        bad(
            "`--sdist` without `--sdk-commit` or `--sdk`",
            2,
            "--sdist needs --sdk-commit",
            build().without("--sdk-commit")),
        bad(
            "`--sdk-repo` without `--sdk-ref`",
            2,
            "--sdk-repo and --sdk-ref go together",
            build().with("--sdk-repo", "o/n")),
        // Missing files
        bad(
            "`--dockerfile` that does not exist",
            2,
            "no such file",
            build().with("--dockerfile", file("none.Dockerfile"))),
        bad(
            "`--select` file that does not exist",
            2,
            "--select",
            build().with("--select", file("none.txt"))),
        bad(
            "`--sdist` file that does not exist",
            2,
            "no such file",
            build().with("--sdist", file("none.tar.gz"))),
        bad(
            "`--sdk` directory that does not exist",
            2,
            "--sdk " + file("no-sdk") + ": no such directory",
            build().without("--sdist").without("--sdk-commit").with("--sdk", file("no-sdk"))),
        bad(
            "`check --sdk` directory that does not exist",
            2,
            "--sdk " + file("no-sdk") + ": no such directory",
            check().with("--sdk", file("no-sdk"))),
        bad(
            "`--output` naming a file, `--builder append`",
            2,
            "--output " + file("ids.txt") + ": is a file; name a directory",
            build().with("--builder", "append").with("--output", file("ids.txt"))),
        bad(
            "`--output` naming a file, `--builder engine`",
            2,
            "--output " + file("ids.txt") + ": is a file; name a directory",
            build().with("--builder", "engine").with("--output", file("ids.txt"))),
        bad(
            "`check --output` naming a file",
            2,
            "--output " + file("ids.txt") + ": is a file; name a directory",
            check().with("--sdk-commit", SHA).with("--output", file("ids.txt"))),
        bad(
            "`report` over a directory without build outputs",
            2,
            "no build outputs found",
            new Argv("report", file("empty-dir"))),
        bad(
            "`report` over a manifest with no readable record",
            2,
            "no manifest record in its 1 line;",
            new Argv("report", file("corrupt"))),
        bad(
            "`report --compare` over a directory without build outputs",
            2,
            "no build outputs found",
            new Argv("report", file("built")).with("--compare", file("empty-dir"))),
        bad(
            "`report --output` naming a file",
            2,
            "--output " + file("ids.txt") + ": is a file; name a directory",
            new Argv("report", file("built")).with("--output", file("ids.txt"))),
        bad(
            "`generate --template` that does not exist",
            2,
            "no such file",
            new Argv("generate", "swe-bench").with("--template", file("none.yml"))),
        // Credentials
        bad(
            "registry answers 401 and no credentials are set",
            4,
            "failed: HTTP 401; log in",
            dryRun(wm)),
        bad(
            "registry rejects `IMAGEFLEET_REGISTRY_USERNAME`/`_PASSWORD`",
            4,
            "failed: HTTP 401; log in",
            Map.of("IMAGEFLEET_REGISTRY_USERNAME", "bob", "IMAGEFLEET_REGISTRY_PASSWORD", "wrong"),
            dryRun(wm)),
        bad(
            "`dispatch` without a GitHub token",
            4,
            "no GitHub token: set GITHUB_TOKEN",
            dispatch(closed)),
        // Unreachable daemon, registry, API
        bad(
            "`build --no-push` with `DOCKER_HOST=unix:///nonexistent.sock`",
            4,
            "cannot reach the Docker daemon at unix:///nonexistent.sock",
            build().with("--no-push", null)),
        bad(
            "`build` with the `--image` registry on a closed port",
            4,
            "the --image registry 127.0.0.1:",
            build()),
        bad(
            "`preflight` with `DOCKER_HOST=unix:///nonexistent.sock`",
            4,
            "cannot reach the Docker daemon at unix:///nonexistent.sock",
            new Argv("preflight")),
        bad(
            "`build --dry-run` with the registry on a closed port",
            4,
            "is the registry up?",
            dryRun(closed)),
        bad(
            "`build --sdk-repo` with the GitHub API on a closed port",
            4,
            "resolve main in o/n failed",
            Map.of("GITHUB_TOKEN", "t"),
            build()
                .without("--sdk-commit")
                .with("--sdk-repo", "o/n")
                .with("--sdk-ref", "main")
                .with("--api-url", "http://" + closed)),
        bad(
            "`dispatch` with the GitHub API on a closed port",
            4,
            "list the runs of w.yml in o/n failed",
            Map.of("GITHUB_TOKEN", "t"),
            dispatch(closed)));
  }

  /** PENDING: expected behaviour whose fix is not merged yet (see the class comment). */
  static List<Case> pending() {
    return List.of();
  }

  @TestFactory
  Stream<DynamicTest> eachBadInputExitsWithItsCodeAndOneLineNamingIt() {
    return cases().stream()
        .map(
            c ->
                DynamicTest.dynamicTest(
                    c.input(),
                    () -> {
                      CliRun run = run(c);
                      assertThat(run.exitCode()).as(run.err()).isEqualTo(c.exit());
                      assertThat(message(run)).as(run.err()).contains(c.fragment());
                      assertThat(run.err()).doesNotContain("internal error");
                    }));
  }

  @TestFactory
  Stream<DynamicTest> pendingCasesStillMisbehaveUntilTheirFixIsMerged() {
    return pending().stream()
        .map(
            c ->
                DynamicTest.dynamicTest(
                    c.input(),
                    () -> {
                      if (!meets(c, run(c))) {
                        Assumptions.abort("pending fix: " + c.pendingFix());
                      }
                      fail(
                          c.input()
                              + " now behaves as expected: move it from pending() to cases()");
                    }));
  }

  @Test
  void theTableInTheDocsIsTheOneTheseCasesGenerate() throws IOException {
    String table = table();
    Files.createDirectories(GENERATED.getParent());
    Files.writeString(GENERATED, table);
    String doc = Files.readString(DOC);
    int begin = doc.indexOf(BEGIN);
    int end = doc.indexOf(END);
    assertThat(begin).as("%s has no %s marker", DOC, BEGIN.strip()).isNotNegative();
    assertThat(end).as("%s has no %s marker", DOC, END).isGreaterThan(begin);
    String updated = doc.substring(0, begin + BEGIN.length()) + table + doc.substring(end);
    if (Boolean.getBoolean("imagefleet.updateDocs") && !doc.equals(updated)) {
      Files.writeString(DOC, updated);
      doc = updated;
    }
    assertThat(doc)
        .as("the bad-input table in %s has drifted; rerun with -Dimagefleet.updateDocs=true", DOC)
        .isEqualTo(updated);
  }

  /** Rows for every case, as the CLI answers today; pending rows show what is expected. */
  private static String table() {
    StringBuilder table = new StringBuilder("| input | exit | message |\n|---|---|---|\n");
    for (Case c : cases()) {
      CliRun run = run(c);
      row(table, c.input(), Integer.toString(run.exitCode()), "`" + normalize(message(run)) + "`");
    }
    for (Case c : pending()) {
      CliRun run = run(c);
      row(
          table,
          c.input(),
          c.exit() + " (pending; " + run.exitCode() + " today)",
          "pending fix, expected to contain `" + normalize(c.fragment()) + "`; " + c.pendingFix());
    }
    return table.toString();
  }

  private static void row(StringBuilder table, String input, String exit, String message) {
    table.append("| ").append(input).append(" | ").append(exit).append(" | ");
    table.append(message.replace("|", "\\|")).append(" |\n");
  }

  private static boolean meets(Case c, CliRun run) {
    return run.exitCode() == c.exit() && message(run).contains(c.fragment());
  }

  private static CliRun run(Case c) {
    return RUNS.computeIfAbsent(c, k -> CliRun.run(k.env(), k.argv().toArray(String[]::new)));
  }

  /** The one line an error prints, without the program name. */
  private static String message(CliRun run) {
    return run.err()
        .lines()
        .filter(line -> line.startsWith("imagefleet: "))
        .findFirst()
        .map(line -> line.substring("imagefleet: ".length()))
        .orElse("(no message) " + run.err().strip());
  }

  /** Paths and ports that change from run to run become placeholders. */
  private static String normalize(String text) {
    return text.replace(dir.toString(), "<tmp>")
        .replace(Path.of("").toAbsolutePath().toString(), "<cwd>")
        .replace(":" + closedPort, ":<closed-port>")
        .replace(":" + registry.port(), ":<port>");
  }

  /** The test tree's recording docker CLI, with one remote buildx builder named rb. */
  private static final String FAKE_DOCKER =
      Path.of("src/test/resources/fake-docker/docker").toAbsolutePath().toString();

  private static final Map<String, String> FAKE_BUILDX =
      Map.of(
          "FAKE_BUILDX_VERSION",
          "v0.20.0",
          "FAKE_BUILDX_BUILDERS",
          "rb=remote@tcp://10.0.0.9:1234");

  private static Map<String, String> withDown(Map<String, String> env, String builder) {
    Map<String, String> down = new HashMap<>(env);
    down.put("FAKE_BUILDX_DOWN", builder);
    return down;
  }

  private static Case bad(String input, int exit, String fragment, Argv argv) {
    return bad(input, exit, fragment, Map.of(), argv);
  }

  /**
   * No daemon, no Docker config and no token unless the case sets them, so nothing reaches the
   * machine's Docker or GitHub.
   */
  private static Case bad(
      String input, int exit, String fragment, Map<String, String> env, Argv argv) {
    Map<String, String> environment = new HashMap<>(env);
    environment.put("DOCKER_HOST", "unix:///nonexistent.sock");
    environment.put("HOME", dir.toString());
    environment.put("XDG_CACHE_HOME", dir.resolve("cache").toString());
    return new Case(input, exit, fragment, Map.copyOf(environment), argv.list(), null);
  }

  /** build with a valid set of options, each of which a case may replace or drop. */
  private static Argv build() {
    return new Argv("build")
        .with("--dataset", file("ids.txt"))
        .with("--benchmark", "custom")
        .with("--base-image-template", "127.0.0.1:" + closedPort + "/ns/bases:{id}")
        .with("--image", "127.0.0.1:" + closedPort + "/ns/agent")
        .with("--sdist", file("agent-0.1.tar.gz"))
        .with("--sdk-commit", SHA)
        .with("--cache-dir", file("cache"))
        .with("--output", file("out"))
        .with("--max-retries", "0");
  }

  /** check with a valid set of options but the SDK, which a case adds. */
  private static Argv mirror(String to) {
    return new Argv("mirror")
        .with("--dataset", file("ids.txt"))
        .with("--benchmark", "custom")
        .with("--base-image-template", "127.0.0.1:" + closedPort + "/ns/bases:{id}")
        .with("--to", to);
  }

  private static Argv check() {
    return new Argv("check")
        .with("--dataset", file("ids.txt"))
        .with("--benchmark", "custom")
        .with("--base-image-template", "127.0.0.1:" + closedPort + "/ns/bases:{id}")
        .with("--image", "127.0.0.1:" + closedPort + "/ns/agent");
  }

  private static Argv dataset(String name) {
    return build().with("--dataset", file(name + ".jsonl"));
  }

  private static Argv dryRun(String registryHost) {
    return build().with("--image", registryHost + "/ns/agent").with("--dry-run", null);
  }

  private static Argv dispatch(String apiHost) {
    return new Argv("dispatch")
        .with("--repo", "o/n")
        .with("--workflow", "w.yml")
        .with("--ref", "main")
        .with("--api-url", "http://" + apiHost);
  }

  private static String closedUrl() {
    return "http://127.0.0.1:" + closedPort;
  }

  private static String file(String name) {
    return dir.resolve(name).toString();
  }

  private static void jsonl(String name, String text) throws IOException {
    Files.writeString(dir.resolve(name + ".jsonl"), text);
  }

  /** A command and its options by name, so a case replaces an option rather than repeating it. */
  private static final class Argv {
    private final List<String> command;
    private final Map<String, Optional<String>> options = new LinkedHashMap<>();

    Argv(String... command) {
      this.command = List.of(command);
    }

    /** Sets (or replaces) an option; a null value makes it a flag. */
    Argv with(String option, String value) {
      options.put(option, Optional.ofNullable(value));
      return this;
    }

    Argv without(String option) {
      options.remove(option);
      return this;
    }

    List<String> list() {
      List<String> argv = new ArrayList<>(command);
      options.forEach(
          (option, value) -> {
            argv.add(option);
            value.ifPresent(argv::add);
          });
      return List.copyOf(argv);
    }
  }
}
