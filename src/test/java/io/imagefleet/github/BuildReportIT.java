package io.imagefleet.github;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static io.imagefleet.github.GitHubWireMock.REPO;
import static io.imagefleet.github.GitHubWireMock.TOKEN;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.client.WireMock;
import com.github.tomakehurst.wiremock.junit5.WireMockRuntimeInfo;
import com.github.tomakehurst.wiremock.junit5.WireMockTest;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.imagefleet.cli.CliRun;
import io.imagefleet.testing.BuildRig;
import io.imagefleet.testing.TestRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real build whose SDK comes from GitHub by reference and which reports back (GitHub is
 * WireMock).
 */
@WireMockTest
class BuildReportIT {
  private static final String SHA = "89abcdef0123456789abcdef0123456789abcdef";

  @TempDir Path dir;

  @Test
  void buildsFromTheResolvedCommitAndReportsStatusAndComment(WireMockRuntimeInfo wm)
      throws Exception {
    BuildRig rig = BuildRig.create(dir.resolve("rig"));
    Map<String, String> markers = new LinkedHashMap<>();
    List.of("gh-1", "gh-2").forEach(id -> markers.put(id, id));
    rig.pushBases(markers);
    WireMock w = wm.getWireMock();
    GitHubWireMock.repository(w, wm.getHttpBaseUrl());
    GitHubWireMock.repository(w, wm.getHttpBaseUrl(), "acme/evals");
    w.register(
        get(urlPathEqualTo("/repos/" + REPO + "/commits/release"))
            .willReturn(okJson("{\"sha\":\"" + SHA + "\"}")));
    w.register(
        get(urlPathEqualTo("/repos/" + REPO + "/tarball/" + SHA))
            .willReturn(aResponse().withStatus(200).withBody(tarball())));
    w.register(
        post(urlPathEqualTo("/repos/" + REPO + "/statuses/" + SHA))
            .willReturn(okJson("{\"id\":1,\"state\":\"success\"}")));
    w.register(
        get(urlPathEqualTo("/repos/acme/evals/issues/7"))
            .willReturn(okJson("{\"id\":7,\"number\":7,\"title\":\"eval\",\"state\":\"open\"}")));
    w.register(get(urlPathEqualTo("/repos/acme/evals/issues/7/comments")).willReturn(okJson("[]")));
    w.register(
        post(urlPathEqualTo("/repos/acme/evals/issues/7/comments"))
            .willReturn(okJson("{\"id\":70,\"body\":\"x\"}")));
    Path ids = Files.write(dir.resolve("ids.txt"), List.of("gh-1", "gh-2"));
    Path output = dir.resolve("out");
    List<String> args = rig.buildArgs(ids, output);
    int sdk = args.indexOf("--sdk");
    args.subList(sdk, sdk + 2).clear();
    args.addAll(
        List.of(
            "--sdk-repo",
            REPO,
            "--sdk-ref",
            "release",
            "--min-free-gb",
            "0",
            "--report-status",
            "--report-comment",
            "acme/evals#7",
            "--api-url",
            wm.getHttpBaseUrl()));
    Map<String, String> env =
        Map.of(
            "GITHUB_TOKEN",
            TOKEN,
            "GITHUB_SERVER_URL",
            "https://github.com",
            "GITHUB_REPOSITORY",
            "acme/evals",
            "GITHUB_RUN_ID",
            "4242");

    CliRun run = CliRun.run(env, args.toArray(String[]::new));

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(
            TestRegistry.headManifest(rig.namespace + "/agent", "89abcde-bases-gh-1").statusCode())
        .isEqualTo(200);
    w.verifyThat(
        postRequestedFor(urlPathEqualTo("/repos/" + REPO + "/statuses/" + SHA))
            .withRequestBody(
                equalToJson(
                    "{\"state\":\"success\",\"target_url\":\"https://github.com/acme/evals/actions/runs/4242\",\"description\":\"2 built, 0 skipped, 0 failed\",\"context\":\"imagefleet/custom\"}")));
    List<LoggedRequest> comments =
        w.find(postRequestedFor(urlPathEqualTo("/repos/acme/evals/issues/7/comments")));
    assertThat(comments).hasSize(1);
    assertThat(comments.get(0).getBodyAsString())
        .startsWith("{\"body\":\"<!-- imagefleet:custom -->\\n### imagefleet build: done")
        .contains(
            "Image tags: <code>"
                + rig.image()
                + ":89abcde-{custom}</code> · [run](https://github.com/acme/evals/actions/runs/4242)");
    assertThat(run.out() + run.err()).doesNotContain(TOKEN);
    try (Stream<Path> files = Files.walk(output)) {
      for (Path file : files.filter(Files::isRegularFile).toList()) {
        assertThat(Files.readString(file)).as(file.toString()).doesNotContain(TOKEN);
      }
    }
  }

  private byte[] tarball() throws Exception {
    return GitHubWireMock.tarball(dir, "acme-agent-sdk-89abcde");
  }
}
