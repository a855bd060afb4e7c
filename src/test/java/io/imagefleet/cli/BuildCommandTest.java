package io.imagefleet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.imagefleet.actions.ActionsEnvironment;
import io.imagefleet.sdist.SdistEnvironment;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;

/** build's bad-input paths: exit 2, one line naming the input, nothing written. */
class BuildCommandTest {
  @TempDir static Path dir;

  static Stream<Arguments> badInput() throws Exception {
    Path ids = Files.writeString(dir.resolve("ids.txt"), "a-1\nb-2\n");
    Path broken =
        Files.writeString(dir.resolve("broken.jsonl"), "{\"instance_id\":\"a\"}\n{oops\n");
    Path sdist = Files.writeString(dir.resolve("agent.tar.gz"), "x");
    String data = ids.toString();
    Path dotdot = Files.writeString(dir.resolve("dotdot.txt"), "a-1\n..\n");
    Path newline =
        Files.writeString(dir.resolve("newline.jsonl"), "{\"instance_id\":\"a\\n::error::x\"}\n");
    Path badBases =
        Files.writeString(
            dir.resolve("bases.jsonl"),
            "{\"instance_id\":\"a\",\"base_image\":\"reg/Base:1\"}\n"
                + "{\"instance_id\":\"b\",\"base_image\":\"reg/base:1 --evil\"}\n"
                + "{\"instance_id\":\"c\",\"base_image\":\"reg/base:1\"}\n");
    return Stream.of(
        bad(
            "--dataset "
                + dotdot
                + " line 2: the instance id '..' is not allowed; fix or remove that line",
            "--dataset",
            dotdot.toString()),
        bad(
            "--dataset "
                + newline
                + " line 1: \"instance_id\" contains the control character U+000A at position 2;"
                + " fix or remove that record",
            "--dataset",
            newline.toString()),
        bad(
            "2 base image reference(s) are invalid (allowed by --max-failures: 1): a: 'reg/Base:1'"
                + " is not a valid image reference ([host/]name[:tag][@digest], name in lower case);"
                + " b: 'reg/base:1 --evil' is not a valid image reference ([host/]name[:tag][@digest],"
                + " name in lower case); fix the dataset or --base-image-template",
            "--dataset",
            badBases.toString(),
            "--max-failures",
            "1"),
        bad("--workers must be at least 1, got 0", "--dataset", data, "--workers", "0"),
        bad("--batch-size must be at least 1, got 0", "--dataset", data, "--batch-size", "0"),
        bad(
            "--network must be default, none or host, got 'bridge'",
            "--dataset",
            data,
            "--network",
            "bridge"),
        bad(
            "--builder must be auto, append, phased, buildx or engine, got 'kaniko'",
            "--dataset",
            data,
            "--builder",
            "kaniko"),
        bad(
            "--attestations provenance needs buildx; the engine builder pushes no attestations."
                + " Use --builder buildx, or --attestations none",
            "--dataset",
            data,
            "--builder",
            "engine",
            "--attestations",
            "provenance"),
        bad(
            "--attestations must be none, provenance, sbom or both, got 'slsa'",
            "--dataset",
            data,
            "--attestations",
            "slsa"),
        bad(
            "--image-timeout must be a duration such as 90s, 33m or 5h30m, got 'soon'",
            "--dataset",
            data,
            "--image-timeout",
            "soon"),
        bad("--deadline must be longer than zero, got '0m'", "--dataset", data, "--deadline", "0m"),
        bad(
            "--benchmark must be swe-bench, swt-bench or custom, got 'swe'",
            "--dataset",
            data,
            "--benchmark",
            "swe"),
        bad("--shard must be i/K with 1 <= i <= K, got '0/2'", "--dataset", data, "--shard", "0/2"),
        bad("--dataset " + broken + " line 2: not valid JSON", "--dataset", broken.toString()),
        bad(
            "--dataset nowhere.jsonl: no such file; check the path (relative paths start at",
            "--dataset",
            "nowhere.jsonl"),
        bad(
            "instances not in the dataset: zz-9; check --instance-ids / --select",
            "--dataset",
            data,
            "--instance-ids",
            "a-1,zz-9"),
        bad(
            "--sdist needs --sdk-commit SHA",
            "--dataset",
            data,
            "--sdist",
            sdist.toString(),
            "--no-sdk"),
        bad(
            "--sdk-commit must be a commit SHA (7 to 40 hex digits), got 'main'",
            "--dataset",
            data,
            "--sdk-commit",
            "main"),
        bad(
            "'ghcr.io/Org/agent' is not a valid image repository (lower case, e.g. ghcr.io/org/agent)",
            "--dataset",
            data,
            "--image",
            "ghcr.io/Org/agent"),
        bad(
            "--benchmark custom: 2 instance(s) have no base_image in the dataset (first: a-1); add base_image to every record or pass --base-image-template",
            "--dataset",
            data,
            "--benchmark",
            "custom"),
        bad(
            "--sdist-env 1FOO: not an environment variable name; use letters, digits and _, not"
                + " starting with a digit",
            "--dataset",
            data,
            "--sdist-env",
            "1FOO"),
        bad(
            "--sdist-env GITHUB_TOKEN: that is --token-env's variable, which the sdist command"
                + " never sees; drop it from --sdist-env",
            "--dataset",
            data,
            "--sdist-env",
            "GITHUB_TOKEN"),
        bad(
            "--sdist-env MY_TOKEN: that is --token-env's variable, which the sdist command never"
                + " sees; drop it from --sdist-env",
            "--dataset",
            data,
            "--token-env",
            "MY_TOKEN",
            "--sdist-env",
            "FOO",
            "--sdist-env",
            "MY_TOKEN"));
  }

  private static Arguments bad(String message, String... args) {
    return Arguments.of(message, args);
  }

  @org.junit.jupiter.api.Test
  void theRegistryPasswordIsMaskedOnARunnerAndNeverPrintedElsewhere() throws Exception {
    Path ids = Files.writeString(dir.resolve("mask.txt"), "a-1\n");
    String[] args = {
      "build",
      "--image",
      "127.0.0.1:5000/ns/agent",
      "--dataset",
      ids.toString(),
      "--sdk",
      dir.toString(),
      "--sdk-commit",
      "0123456789abcdef",
      "--workers",
      "0"
    };

    CliRun local = CliRun.run(Map.of("IMAGEFLEET_REGISTRY_PASSWORD", "hunter2-s3cret"), args);
    CliRun runner =
        CliRun.run(
            Map.of("IMAGEFLEET_REGISTRY_PASSWORD", "hunter2-s3cret", "GITHUB_ACTIONS", "true"),
            args);

    assertThat(local.out() + local.err()).doesNotContain("hunter2");
    assertThat(runner.err()).startsWith("::add-mask::hunter2-s3cret\n");
    assertThat(runner.err().lines().skip(1)).noneMatch(line -> line.contains("hunter2"));
  }

  @org.junit.jupiter.api.Test
  void aBaseRegistryThatDoesNotAnswerEndsAnAppendRunBeforeTheSdistIsBuilt() throws Exception {
    // given a --image registry that answers, bases where nothing listens, and an sdist command
    // that leaves a mark
    com.sun.net.httpserver.HttpServer target =
        com.sun.net.httpserver.HttpServer.create(new java.net.InetSocketAddress("127.0.0.1", 0), 0);
    target.createContext(
        "/",
        exchange -> {
          exchange.sendResponseHeaders(200, -1);
          exchange.close();
        });
    target.start();
    try {
      Path ids = Files.writeString(dir.resolve("base-down.txt"), "a-1\n");
      Path dockerfile =
          Files.writeString(
              dir.resolve("copy.Dockerfile"),
              "ARG BASE_IMAGE\nFROM ${BASE_IMAGE}\nARG SDIST\nCOPY ${SDIST} /opt/agent/\n");
      Path mark = dir.resolve("sdist-ran-base");
      List<String> args =
          new ArrayList<>(
              List.of(
                  "build",
                  "--image",
                  "127.0.0.1:" + target.getAddress().getPort() + "/ns/agent",
                  "--dataset",
                  ids.toString(),
                  "--benchmark",
                  "custom",
                  "--base-image-template",
                  "127.0.0.1:1/ns/bases:{id}",
                  "--dockerfile",
                  dockerfile.toString(),
                  "--sdk",
                  dir.toString(),
                  "--sdk-commit",
                  "0123456789abcdef",
                  "--sdist-command",
                  "touch " + mark + "; tar czf {out}/a-1.tar.gz --files-from /dev/null",
                  "--output",
                  dir.resolve("out-base-down").toString()));

      // when append builds (it reads the bases itself), and when the engine does (the daemon may
      // reach them through a mirror of its own)
      CliRun append =
          CliRun.run(
              Map.of("DOCKER_HOST", "unix:///nonexistent.sock"), with(args, "--builder", "append"));
      boolean markedByAppend = Files.exists(mark);
      CliRun engine =
          CliRun.run(
              Map.of("DOCKER_HOST", "unix:///nonexistent.sock"), with(args, "--builder", "engine"));

      // then append exits 4 naming the base registry before the sdist; the engine is warned
      assertThat(append.exitCode()).as(append.err()).isEqualTo(4);
      assertThat(append.err())
          .contains(
              "imagefleet: the registry 127.0.0.1:1 of base 127.0.0.1:1/ns/bases:a-1 does not"
                  + " answer at http://127.0.0.1:1/v2/; check the name and the network");
      assertThat(markedByAppend).isFalse();
      assertThat(engine.err())
          .contains(
              "imagefleet build: warning: the registry 127.0.0.1:1 of base"
                  + " 127.0.0.1:1/ns/bases:a-1 does not answer");
    } finally {
      target.stop(0);
    }
  }

  private static String[] with(List<String> args, String option, String value) {
    List<String> all = new ArrayList<>(args);
    all.addAll(List.of(option, value));
    return all.toArray(String[]::new);
  }

  @org.junit.jupiter.api.Test
  void aTargetRegistryThatDoesNotAnswerEndsTheRunBeforeTheSdistIsBuilt() throws Exception {
    // given a --image registry where nothing listens, and an sdist command that leaves a mark
    Path ids = Files.writeString(dir.resolve("one.txt"), "a-1\n");
    Path mark = dir.resolve("sdist-ran");
    Path output = dir.resolve("out-unreachable");
    long start = System.nanoTime();

    CliRun run =
        CliRun.run(
            Map.of("DOCKER_HOST", "unix:///nonexistent.sock"),
            "build",
            "--image",
            "127.0.0.1:1/ns/agent",
            "--dataset",
            ids.toString(),
            "--benchmark",
            "custom",
            "--base-image-template",
            "127.0.0.1:5000/ns/bases:{id}",
            "--sdk",
            dir.toString(),
            "--sdk-commit",
            "0123456789abcdef",
            "--sdist-command",
            "touch " + mark + "; tar czf {out}/a-1.tar.gz --files-from /dev/null",
            "--output",
            output.toString());

    // then exit 4 within seconds naming the registry, no sdist built, the report written
    assertThat(run.exitCode()).as(run.err()).isEqualTo(4);
    assertThat(run.err())
        .contains(
            "imagefleet: the --image registry 127.0.0.1:1 does not answer at"
                + " http://127.0.0.1:1/v2/; check the name and the network");
    assertThat((System.nanoTime() - start) / 1e9).isLessThan(15);
    assertThat(mark).doesNotExist();
    assertThat(output.resolve("summary.json")).exists();
  }

  @ParameterizedTest
  @MethodSource("badInput")
  void badInputExitsTwoWithOneLineAndWritesNothing(String message, String[] args) {
    Path output = dir.resolve("out-" + Math.abs(message.hashCode()));
    List<String> argv =
        new ArrayList<>(
            List.of("build", "--image", "127.0.0.1:5000/ns/agent", "--output", output.toString()));
    boolean withSdk = !List.of(args).contains("--no-sdk");
    if (withSdk) {
      argv.addAll(List.of("--sdk", dir.toString(), "--sdk-commit", "0123456789abcdef"));
    }
    for (String arg : args) {
      if (!arg.equals("--no-sdk")) {
        argv.add(arg);
      }
    }
    if (argv.lastIndexOf("--image") != argv.indexOf("--image")) {
      argv.subList(1, 3).clear();
    }
    if (argv.lastIndexOf("--sdk-commit") != argv.indexOf("--sdk-commit")) {
      argv.subList(argv.indexOf("--sdk-commit"), argv.indexOf("--sdk-commit") + 2).clear();
    }

    CliRun run =
        CliRun.run(Map.of("DOCKER_HOST", "unix:///nonexistent.sock"), argv.toArray(String[]::new));

    assertThat(run.exitCode()).as(run.err()).isEqualTo(2);
    assertThat(run.err()).startsWith("imagefleet: " + message);
    assertThat(run.err().lines()).hasSize(1);
    assertThat(output).doesNotExist();
  }

  @org.junit.jupiter.api.Test
  void theSdistCommandIsGivenTheNamesOfSdistEnvAndKeepsOutTheTokenVariable() {
    CommandLine root =
        Cli.create(
            new PrintWriter(new StringWriter()),
            new PrintWriter(new StringWriter()),
            new ActionsEnvironment(Map.of()));
    root.parseArgs(
        "build",
        "--dataset=ids.txt",
        "--image=ghcr.io/o/a",
        "--token-env=UV_TOKEN",
        "--sdist-env=FOO",
        "--sdist-env=BAR_1");
    BuildCommand command = root.getSubcommands().get("build").getCommand();

    SdistEnvironment environment =
        command.sdk.input(command.sdist, command.gitHub.tokenEnv, Map.of()).sdistEnvironment();

    assertThat(environment).isEqualTo(new SdistEnvironment(List.of("FOO", "BAR_1"), "UV_TOKEN"));
  }

  @org.junit.jupiter.api.Test
  void aSecretLookingBuildArgIsWarnedAboutAndABadSecretSpecRejected() throws Exception {
    Path ids = Files.writeString(dir.resolve("secret.txt"), "a-1\n");
    String[] common = {
      "build",
      "--image",
      "127.0.0.1:5000/ns/agent",
      "--dataset",
      ids.toString(),
      "--sdk",
      dir.toString(),
      "--sdk-commit",
      "0123456789abcdef",
      "--dry-run",
      "--hf-endpoint",
      "http://127.0.0.1:1"
    };
    List<String> warned = new ArrayList<>(List.of(common));
    warned.addAll(List.of("--build-arg", "HF_TOKEN=abc", "--secret", "id=x,env=HOME"));

    CliRun run =
        CliRun.run(
            Map.of("DOCKER_HOST", "unix:///nonexistent.sock"), warned.toArray(String[]::new));

    assertThat(run.err())
        .startsWith(
            "imagefleet: warning: --build-arg HF_TOKEN looks like a secret; build args stay in the"
                + " pushed image's history. Pass it as --secret id=HF_TOKEN,env=HF_TOKEN and read it"
                + " with RUN --mount=type=secret,id=HF_TOKEN\n")
        .doesNotContain("abc");

    List<String> bad = new ArrayList<>(List.of(common));
    bad.addAll(List.of("--secret", "HF_TOKEN"));
    CliRun rejected = CliRun.run(Map.of(), bad.toArray(String[]::new));
    assertThat(rejected.exitCode()).isEqualTo(2);
    assertThat(rejected.err())
        .isEqualTo(
            "imagefleet: --secret must be id=NAME,env=VAR or id=NAME,src=FILE, got 'HF_TOKEN'\n");
  }
}
