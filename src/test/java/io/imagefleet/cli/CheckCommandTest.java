package io.imagefleet.cli;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.request;
import static com.github.tomakehurst.wiremock.client.WireMock.requestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.junit5.WireMockRuntimeInfo;
import com.github.tomakehurst.wiremock.junit5.WireMockTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** check against WireMock standing in for the registry: what it reports, writes and exits. */
@WireMockTest
class CheckCommandTest {
  @TempDir Path dir;

  @Test
  void listsTheMissingImagesWritesTheReportAndExitsFive(WireMockRuntimeInfo wm) throws Exception {
    present(
        wm,
        "0123456-base-a-1",
        "sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
    present(
        wm,
        "0123456-base-b-2",
        "sha256:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb");
    Path outputs = dir.resolve("outputs");
    Path summary = dir.resolve("summary.md");
    Map<String, String> env =
        Map.of("GITHUB_OUTPUT", outputs.toString(), "GITHUB_STEP_SUMMARY", summary.toString());

    CliRun run = CliRun.run(env, args(wm));

    String image = "127.0.0.1:" + wm.getHttpPort() + "/org/agent";
    assertThat(run.exitCode()).as(run.err()).isEqualTo(5);
    assertThat(run.out()).isEqualTo(image + ":0123456-base-c-3\n");
    assertThat(run.err())
        .startsWith(
            "imagefleet: check " + image + ":0123456-{custom}: 3 expected, 2 present, 1 missing (");
    assertThat(Files.readAllLines(dir.resolve("out/check.jsonl")))
        .containsExactly(
            "{\"instance\":\"a-1\",\"base\":\"reg/base:a-1\",\"image\":\""
                + image
                + ":0123456-base-a-1\",\"status\":\"present\",\"digest\":\"sha256:"
                + "a".repeat(64)
                + "\"}",
            "{\"instance\":\"b-2\",\"base\":\"reg/base:b-2\",\"image\":\""
                + image
                + ":0123456-base-b-2\",\"status\":\"present\",\"digest\":\"sha256:"
                + "b".repeat(64)
                + "\"}",
            "{\"instance\":\"c-3\",\"base\":\"reg/base:c-3\",\"image\":\""
                + image
                + ":0123456-base-c-3\",\"status\":\"missing\"}");
    assertThat(Files.readString(outputs))
        .isEqualTo(
            "present=2\nmissing=1\ncheck-report="
                + dir.resolve("out").resolve("check.jsonl")
                + "\n");
    assertThat(Files.readString(summary))
        .startsWith("### imagefleet check: 1 missing\n")
        .contains("| 3 | 2 | 1 |")
        .contains("| c-3 | " + image + ":0123456-base-c-3 |");
    wm.getWireMock()
        .verifyThat(3, requestedFor("HEAD", urlPathMatching("/v2/org/agent/manifests/.*")));
  }

  @Test
  void theRegistryRateSpacesTheChecksAndTheUsageLineSaysWhatWasSpent(WireMockRuntimeInfo wm) {
    // given 120 requests a minute (one per 0.5 s) for the registry and 3 tags to check at once
    String host = "127.0.0.1:" + wm.getHttpPort();

    long start = System.nanoTime();
    CliRun run = CliRun.run(args(wm, "--registry-rate", host + "=120/min"));
    double seconds = (System.nanoTime() - start) / 1e9;

    // then the three HEADs took two intervals, and the last line says so
    assertThat(run.exitCode()).as(run.err()).isEqualTo(5);
    assertThat(seconds).isGreaterThan(0.9);
    assertThat(run.err())
        .containsPattern(
            "\nimagefleet check: registry "
                + java.util.regex.Pattern.quote(host)
                + ": 3 requests, 0 rate-limited \\(429\\), [0-9.]+ s waited for the"
                + " budget\n$");
  }

  @Test
  void aMalformedRegistryRateExitsTwoNamingTheOptionInEveryCommandThatTakesIt(
      WireMockRuntimeInfo wm) {
    String expected =
        "imagefleet: --registry-rate must be HOST[:PORT]=N/min such as ghcr.io=1500/min (0/min"
            + " for unlimited), got 'ghcr.io=fast'\n";
    CliRun check = CliRun.run(args(wm, "--registry-rate", "ghcr.io=fast"));
    CliRun retain =
        CliRun.run(
            "retain",
            "--image",
            "127.0.0.1:" + wm.getHttpPort() + "/org/agent",
            "--keep-commits",
            "1",
            "--registry-rate",
            "ghcr.io=fast");

    assertThat(check.exitCode()).isEqualTo(2);
    assertThat(check.err()).isEqualTo(expected);
    assertThat(retain.exitCode()).isEqualTo(2);
    assertThat(retain.err()).isEqualTo(expected);
    wm.getWireMock().verifyThat(0, requestedFor("HEAD", urlPathMatching(".*")));
  }

  @Test
  void exitsZeroWhenTheRegistryHasEveryImage(WireMockRuntimeInfo wm) {
    present(
        wm,
        "0123456-base-a-1",
        "sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
    present(
        wm,
        "0123456-base-b-2",
        "sha256:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb");
    present(
        wm,
        "0123456-base-c-3",
        "sha256:cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc");

    CliRun run = CliRun.run(args(wm));

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out()).isEmpty();
  }

  @Test
  void aRegistryThatRefusesExitsFourNamingTheImage(WireMockRuntimeInfo wm) {
    wm.getWireMock()
        .register(
            request("HEAD", urlPathMatching("/v2/org/agent/manifests/.*"))
                .willReturn(aResponse().withStatus(403)));

    CliRun run = CliRun.run(args(wm, "--concurrency", "1"));

    assertThat(run.exitCode()).isEqualTo(4);
    assertThat(run.err())
        .isEqualTo(
            "imagefleet: check 127.0.0.1:"
                + wm.getHttpPort()
                + "/org/agent:0123456-base-a-1 in the registry failed: HTTP 403; log in (docker"
                + " login, or IMAGEFLEET_REGISTRY_USERNAME/_PASSWORD for the registry imagefleet pushes to) with a token that may read"
                + " it\n");
  }

  @Test
  void withoutACommitItExitsTwoNamingTheOptions(WireMockRuntimeInfo wm) throws Exception {
    Path ids = Files.writeString(dir.resolve("ids.txt"), "a-1\n");

    CliRun run =
        CliRun.run(
            "check",
            "--dataset",
            ids.toString(),
            "--image",
            "127.0.0.1:5/org/agent",
            "--output",
            dir.resolve("out").toString());

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err())
        .isEqualTo(
            "imagefleet: check needs the SDK commit of the tags: --sdk-commit SHA, --sdk DIR (its"
                + " git HEAD), or --sdk-repo with --sdk-ref\n");
    assertThat(dir.resolve("out")).doesNotExist();
  }

  private String[] args(WireMockRuntimeInfo wm, String... more) {
    try {
      Path ids = Files.writeString(dir.resolve("ids.txt"), "a-1\nb-2\nc-3\n");
      List<String> args =
          new ArrayList<>(
              List.of(
                  "check",
                  "--benchmark",
                  "custom",
                  "--base-image-template",
                  "reg/base:{id}",
                  "--dataset",
                  ids.toString(),
                  "--sdk-commit",
                  "0123456789abcdef",
                  "--image",
                  "127.0.0.1:" + wm.getHttpPort() + "/org/agent",
                  "--output",
                  dir.resolve("out").toString()));
      args.addAll(List.of(more));
      return args.toArray(String[]::new);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static void present(WireMockRuntimeInfo wm, String tag, String digest) {
    wm.getWireMock()
        .register(
            request("HEAD", urlPathEqualTo("/v2/org/agent/manifests/" + tag))
                .willReturn(
                    aResponse().withStatus(200).withHeader("Docker-Content-Digest", digest)));
  }
}
