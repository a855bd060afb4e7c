package io.imagefleet.github;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.patch;
import static com.github.tomakehurst.wiremock.client.WireMock.patchRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static io.imagefleet.github.GitHubWireMock.REPO;
import static io.imagefleet.github.GitHubWireMock.TOKEN;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.client.WireMock;
import com.github.tomakehurst.wiremock.junit5.WireMockRuntimeInfo;
import com.github.tomakehurst.wiremock.junit5.WireMockTest;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import io.imagefleet.cli.CliRun;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** GitHub integration against WireMock: SDK by reference, dispatch and follow, reports. */
@WireMockTest
class GitHubIntegrationTest {
  private static final String SHA = "0123456789abcdef0123456789abcdef01234567";
  private static final String WORKFLOW =
      "on:\n  workflow_dispatch:\n    inputs:\n      workers: {}\n      n-limit: {}\njobs: {}\n";

  private static final String MARKER = BuildReport.marker("swe-bench");

  /** Someone else's comment that copies the marker: never edited. */
  private static final String MALLORY = comment(39, "mallory", MARKER + "\\nfake");

  @TempDir Path dir;
  private final List<String> printed = new ArrayList<>();

  @AfterEach
  void theTokenIsNeverPrinted() {
    assertThat(printed).noneMatch(text -> text.contains(TOKEN));
  }

  @ParameterizedTest
  @CsvSource({"main", "v1.2.0", "0123456"})
  void resolvesBranchesTagsAndShortShasAndDownloadsEachCommitOnce(
      String ref, WireMockRuntimeInfo wm) throws Exception {
    GitHubWireMock.repository(wm.getWireMock(), wm.getHttpBaseUrl());
    wm.getWireMock()
        .register(
            get(urlPathEqualTo("/repos/" + REPO + "/commits/" + ref))
                .willReturn(okJson("{\"sha\":\"" + SHA + "\"}")));
    wm.getWireMock()
        .register(
            get(urlPathEqualTo("/repos/" + REPO + "/tarball/" + SHA))
                .willReturn(aResponse().withStatus(200).withBody(tarball())));
    SdkSource source = new SdkSource(api(wm), dir.resolve("cache"));

    SdkSource.Checkout first = source.fetch(REPO, ref);
    SdkSource.Checkout second = source.fetch(REPO, ref);

    assertThat(first.sha()).isEqualTo(SHA);
    assertThat(first.downloaded()).isTrue();
    assertThat(second.downloaded()).isFalse();
    assertThat(Files.readString(first.directory().resolve("pyproject.toml")))
        .isEqualTo("[project]\nname = \"agent\"\n");
    wm.getWireMock()
        .verifyThat(1, getRequestedFor(urlPathEqualTo("/repos/" + REPO + "/tarball/" + SHA)));
    wm.getWireMock()
        .verifyThat(
            WireMock.moreThanOrExactly(1),
            getRequestedFor(urlPathEqualTo("/repos/" + REPO + "/commits/" + ref))
                .withHeader("Authorization", WireMock.equalTo("token " + TOKEN)));
  }

  @Test
  void anUnknownRefExitsTwo(WireMockRuntimeInfo wm) throws Exception {
    GitHubWireMock.repository(wm.getWireMock(), wm.getHttpBaseUrl());
    wm.getWireMock()
        .register(
            get(urlPathEqualTo("/repos/" + REPO + "/commits/nope"))
                .willReturn(GitHubWireMock.status(422)));
    Path ids = Files.writeString(dir.resolve("ids.txt"), "a-1\n");

    CliRun run =
        cli(
            wm,
            "build",
            "--dataset",
            ids.toString(),
            "--image",
            "127.0.0.1:5000/x/agent",
            "--sdk-repo",
            REPO,
            "--sdk-ref",
            "nope",
            "--dry-run");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err())
        .isEqualTo("imagefleet: --sdk-ref nope: no such branch, tag or commit in " + REPO + "\n");
  }

  @ParameterizedTest
  @CsvSource({"success, 0", "failure, 5", "cancelled, 5"})
  void dispatchFindsItsRunAmongOthersAndFollowsItToTheEnd(
      String conclusion, int exitCode, WireMockRuntimeInfo wm) {
    WireMock w = wm.getWireMock();
    GitHubWireMock.repository(w, wm.getHttpBaseUrl());
    GitHubWireMock.workflow(w, "build.yml", WORKFLOW);
    // Before the dispatch: an older run 100. After: 100, a push run 102, then the new run 101.
    GitHubWireMock.runsInTurn(
        w,
        GitHubWireMock.runs(GitHubWireMock.run(100, "completed", "success")),
        GitHubWireMock.runs(GitHubWireMock.run(100, "completed", "success")),
        GitHubWireMock.runs(
            GitHubWireMock.run(101, "queued", null),
            GitHubWireMock.run(100, "completed", "success"),
            GitHubWireMock.run(102, "queued", null).replace("workflow_dispatch", "push")));
    w.register(
        post(urlPathEqualTo("/repos/" + REPO + "/actions/workflows/7/dispatches"))
            .withRequestBody(
                equalToJson("{\"ref\":\"main\",\"inputs\":{\"workers\":\"4\",\"n-limit\":\"10\"}}"))
            .willReturn(aResponse().withStatus(204)));
    String run = "/repos/" + REPO + "/actions/runs/101";
    GitHubWireMock.inTurn(
        w,
        run,
        GitHubWireMock.run(101, "queued", null),
        GitHubWireMock.run(101, "in_progress", null),
        GitHubWireMock.run(101, "completed", conclusion));
    w.register(
        get(urlPathEqualTo(run + "/jobs"))
            .willReturn(
                okJson(
                    "{\"total_count\":2,\"jobs\":[{\"id\":1,\"name\":\"Build images (1)\",\"status\":\"completed\",\"conclusion\":\""
                        + conclusion
                        + "\"},{\"id\":2,\"name\":\"Merge shard reports\",\"status\":\"completed\",\"conclusion\":\"skipped\"}]}")));

    CliRun result =
        cli(
            wm,
            "dispatch",
            "--repo",
            REPO,
            "--workflow",
            "build.yml",
            "--ref",
            "main",
            "--input",
            "workers=4",
            "--input",
            "n-limit=10",
            "--wait",
            "--poll",
            "1s");

    assertThat(result.exitCode()).as(result.err()).isEqualTo(exitCode);
    assertThat(result.out())
        .startsWith("run: https://github.com/" + REPO + "/actions/runs/101\n")
        .contains(
            "conclusion: "
                + conclusion
                + "\n  Build images (1): "
                + conclusion
                + "\n  Merge shard reports: skipped\n");
    if (exitCode == 5) {
      assertThat(result.err())
          .isEqualTo(
              "imagefleet: run 101 concluded "
                  + conclusion
                  + ": https://github.com/"
                  + REPO
                  + "/actions/runs/101\n");
    }
  }

  @Test
  void aRunThatOutlastsTheTimeoutExitsFive(WireMockRuntimeInfo wm) {
    WireMock w = wm.getWireMock();
    GitHubWireMock.repository(w, wm.getHttpBaseUrl());
    GitHubWireMock.workflow(w, "build.yml", WORKFLOW);
    GitHubWireMock.runsInTurn(
        w, GitHubWireMock.runs(), GitHubWireMock.runs(GitHubWireMock.run(55, "in_progress", null)));
    w.register(
        post(urlPathEqualTo("/repos/" + REPO + "/actions/workflows/7/dispatches"))
            .willReturn(aResponse().withStatus(204)));
    w.register(
        get(urlPathEqualTo("/repos/" + REPO + "/actions/runs/55"))
            .willReturn(okJson(GitHubWireMock.run(55, "in_progress", null))));

    CliRun result =
        cli(
            wm,
            "dispatch",
            "--repo",
            REPO,
            "--workflow",
            "build.yml",
            "--ref",
            "main",
            "--wait",
            "--timeout",
            "1s",
            "--poll",
            "1s");

    assertThat(result.exitCode()).isEqualTo(5);
    assertThat(result.err())
        .isEqualTo(
            "imagefleet: run 55 still in_progress after 1 s (--timeout): https://github.com/"
                + REPO
                + "/actions/runs/55\n");
  }

  @Test
  void unknownInputsAreRefusedBeforeDispatching(WireMockRuntimeInfo wm) {
    GitHubWireMock.repository(wm.getWireMock(), wm.getHttpBaseUrl());
    GitHubWireMock.workflow(wm.getWireMock(), "build.yml", WORKFLOW);

    CliRun result =
        cli(
            wm,
            "dispatch",
            "--repo",
            REPO,
            "--workflow",
            "build.yml",
            "--ref",
            "main",
            "--input",
            "wokers=4");

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err())
        .isEqualTo(
            "imagefleet: --input wokers: not an input of build.yml (it declares: n-limit, workers)\n");
    wm.getWireMock()
        .verifyThat(
            0,
            postRequestedFor(urlPathEqualTo("/repos/" + REPO + "/actions/workflows/7/dispatches")));
  }

  @Test
  void aMissingWorkflowExitsTwoAndABadTokenFour(WireMockRuntimeInfo wm) {
    GitHubWireMock.repository(wm.getWireMock(), wm.getHttpBaseUrl());
    wm.getWireMock()
        .register(
            get(urlPathEqualTo("/repos/" + REPO + "/actions/workflows/absent.yml"))
                .willReturn(GitHubWireMock.status(404)));
    wm.getWireMock()
        .register(
            get(urlPathEqualTo("/repos/" + REPO + "/contents/.github/workflows/absent.yml"))
                .willReturn(GitHubWireMock.status(404)));

    CliRun missing =
        cli(wm, "dispatch", "--repo", REPO, "--workflow", "absent.yml", "--ref", "main");

    assertThat(missing.exitCode()).isEqualTo(2);
    assertThat(missing.err())
        .isEqualTo(
            "imagefleet: workflow absent.yml not found in "
                + REPO
                + "; name a file under .github/workflows\n");

    wm.getWireMock()
        .register(get(urlPathEqualTo("/repos/acme/locked")).willReturn(GitHubWireMock.status(401)));
    CliRun unauthorized =
        cli(wm, "dispatch", "--repo", "acme/locked", "--workflow", "build.yml", "--ref", "main");

    assertThat(unauthorized.exitCode()).isEqualTo(4);
    assertThat(unauthorized.err())
        .contains("GitHub answered HTTP 401; check the token in GITHUB_TOKEN and its permissions");
  }

  @Test
  void aMissingTokenNamesTheVariable() {
    CliRun run =
        CliRun.run(
            Map.of(),
            "dispatch",
            "--repo",
            REPO,
            "--workflow",
            "b.yml",
            "--ref",
            "main",
            "--token-env",
            "SDK_TOKEN");

    assertThat(run.exitCode()).isEqualTo(4);
    assertThat(run.err()).isEqualTo("imagefleet: no GitHub token: set SDK_TOKEN\n");
  }

  @Test
  void aSecondaryRateLimitIsWaitedOut(WireMockRuntimeInfo wm) {
    WireMock w = wm.getWireMock();
    GitHubWireMock.repository(w, wm.getHttpBaseUrl());
    GitHubWireMock.workflow(w, "build.yml", WORKFLOW);
    GitHubWireMock.runsInTurn(
        w, GitHubWireMock.runs(), GitHubWireMock.runs(GitHubWireMock.run(9, "queued", null)));
    w.register(
        post(urlPathEqualTo("/repos/" + REPO + "/actions/workflows/7/dispatches"))
            .inScenario("limit")
            .whenScenarioStateIs(Scenario.STARTED)
            .willReturn(
                aResponse()
                    .withStatus(403)
                    .withHeader("Retry-After", "1")
                    .withHeader("Content-Type", "application/json")
                    .withBody(
                        "{\"message\":\"You have exceeded a secondary rate limit. Please wait a few minutes before you try again.\"}"))
            .willSetStateTo("open"));
    w.register(
        post(urlPathEqualTo("/repos/" + REPO + "/actions/workflows/7/dispatches"))
            .inScenario("limit")
            .whenScenarioStateIs("open")
            .willReturn(aResponse().withStatus(204)));
    w.register(
        get(urlPathEqualTo("/repos/" + REPO + "/actions/runs/9"))
            .willReturn(okJson(GitHubWireMock.run(9, "queued", null))));

    CliRun result = cli(wm, "dispatch", "--repo", REPO, "--workflow", "build.yml", "--ref", "main");

    assertThat(result.exitCode()).as(result.err()).isZero();
    assertThat(result.out()).isEqualTo("run: https://github.com/" + REPO + "/actions/runs/9\n");
    w.verifyThat(
        2, postRequestedFor(urlPathEqualTo("/repos/" + REPO + "/actions/workflows/7/dispatches")));
  }

  @Test
  void statusAndCommentBodiesAreExactAndTheCommentIsUpdatedNotDuplicated(WireMockRuntimeInfo wm) {
    WireMock w = wm.getWireMock();
    GitHubWireMock.repository(w, wm.getHttpBaseUrl());
    w.register(get(urlPathEqualTo("/user")).willReturn(okJson(user("imagefleet-bot"))));
    w.register(
        post(urlPathEqualTo("/repos/" + REPO + "/statuses/" + SHA))
            .willReturn(
                okJson("{\"id\":3,\"state\":\"failure\",\"context\":\"imagefleet/swe-bench\"}")));
    w.register(
        get(urlPathEqualTo("/repos/" + REPO + "/issues/12"))
            .willReturn(
                okJson("{\"id\":12,\"number\":12,\"title\":\"SDK bump\",\"state\":\"open\"}")));
    String comments = "/repos/" + REPO + "/issues/12/comments";
    w.register(
        get(urlPathEqualTo(comments))
            .inScenario("c")
            .whenScenarioStateIs(Scenario.STARTED)
            .willReturn(okJson("[" + MALLORY + "," + comment(40, "alice", "looks good") + "]")));
    w.register(
        post(urlPathEqualTo(comments))
            .inScenario("c")
            .willReturn(okJson("{\"id\":41,\"body\":\"x\"}"))
            .willSetStateTo("posted"));
    w.register(
        get(urlPathEqualTo(comments))
            .inScenario("c")
            .whenScenarioStateIs("posted")
            .willReturn(
                okJson(
                    "["
                        + MALLORY
                        + ","
                        + comment(40, "alice", "looks good")
                        + ","
                        + comment(41, "imagefleet-bot", MARKER + "\\nold")
                        + "]")));
    w.register(
        patch(urlPathEqualTo("/repos/" + REPO + "/issues/comments/41"))
            .willReturn(okJson("{\"id\":41,\"body\":\"y\"}")));
    GitHubApi api = api(wm);
    String body =
        BuildReport.comment(
            "swe-bench",
            "ghcr.io/acme/agent:0123456-{custom}",
            "### imagefleet build: done\n\n| a |\n",
            Optional.of("https://github.com/acme/agent-sdk/actions/runs/77"));

    api.setStatus(
        REPO,
        SHA,
        BuildReport.state(2, false, 0),
        "https://github.com/acme/agent-sdk/actions/runs/77",
        BuildReport.description(38, 0, 2, 0),
        BuildReport.context("swe-bench"));
    boolean firstUpdated = api.upsertComment(REPO, 12, BuildReport.marker("swe-bench"), body);
    boolean secondUpdated = api.upsertComment(REPO, 12, BuildReport.marker("swe-bench"), body);

    w.verifyThat(
        postRequestedFor(urlPathEqualTo("/repos/" + REPO + "/statuses/" + SHA))
            .withRequestBody(
                equalToJson(
                    "{\"state\":\"failure\",\"target_url\":\"https://github.com/acme/agent-sdk/actions/runs/77\",\"description\":\"38 built, 0 skipped, 2 failed\",\"context\":\"imagefleet/swe-bench\"}")));
    assertThat(body)
        .isEqualTo(
            "<!-- imagefleet:swe-bench -->\n### imagefleet build: done\n\n| a |\n\nImage tags: <code>ghcr.io/acme/agent:0123456-{custom}</code> · [run](https://github.com/acme/agent-sdk/actions/runs/77)\n");
    assertThat(firstUpdated).isFalse();
    assertThat(secondUpdated).isTrue();
    w.verifyThat(
        1,
        postRequestedFor(urlPathEqualTo(comments))
            .withRequestBody(equalToJson("{\"body\":" + json(body) + "}")));
    w.verifyThat(0, patchRequestedFor(urlPathEqualTo("/repos/" + REPO + "/issues/comments/39")));
    w.verifyThat(
        1,
        patchRequestedFor(urlPathEqualTo("/repos/" + REPO + "/issues/comments/41"))
            .withRequestBody(equalToJson("{\"body\":" + json(body) + "}")));
  }

  @Test
  void anAppTokenFindsItsOwnCommentThroughTheGraphqlViewer(WireMockRuntimeInfo wm) {
    WireMock w = commentsOnIssue12(wm, 403);
    w.register(
        post(urlPathEqualTo("/graphql"))
            .withHeader("Authorization", equalTo("Bearer " + TOKEN))
            .willReturn(okJson("{\"data\":{\"viewer\":{\"login\":\"github-actions[bot]\"}}}")));

    boolean updated = api(wm).upsertComment(REPO, 12, MARKER, MARKER + "\nnew");

    assertThat(updated).isTrue();
    w.verifyThat(1, patchRequestedFor(urlPathEqualTo("/repos/" + REPO + "/issues/comments/41")));
    w.verifyThat(0, patchRequestedFor(urlPathEqualTo("/repos/" + REPO + "/issues/comments/39")));
    w.verifyThat(0, postRequestedFor(urlPathEqualTo("/repos/" + REPO + "/issues/12/comments")));
  }

  @Test
  void whenGitHubWontSayWhoTheTokenIsANewCommentIsMadeAndNoneEdited(WireMockRuntimeInfo wm) {
    WireMock w = commentsOnIssue12(wm, 403);
    w.register(post(urlPathEqualTo("/graphql")).willReturn(GitHubWireMock.status(403)));

    boolean updated = api(wm).upsertComment(REPO, 12, MARKER, MARKER + "\nnew");

    assertThat(updated).isFalse();
    w.verifyThat(0, patchRequestedFor(urlPathMatching("/repos/" + REPO + "/issues/comments/.*")));
    w.verifyThat(1, postRequestedFor(urlPathEqualTo("/repos/" + REPO + "/issues/12/comments")));
  }

  /** Issue 12 with a marker comment by mallory (39) and one by github-actions[bot] (41). */
  private static WireMock commentsOnIssue12(WireMockRuntimeInfo wm, int userStatus) {
    WireMock w = wm.getWireMock();
    GitHubWireMock.repository(w, wm.getHttpBaseUrl());
    w.register(get(urlPathEqualTo("/user")).willReturn(GitHubWireMock.status(userStatus)));
    w.register(
        get(urlPathEqualTo("/repos/" + REPO + "/issues/12"))
            .willReturn(okJson("{\"id\":12,\"number\":12,\"title\":\"SDK bump\"}")));
    w.register(
        get(urlPathEqualTo("/repos/" + REPO + "/issues/12/comments"))
            .willReturn(
                okJson(
                    "["
                        + MALLORY
                        + ","
                        + comment(41, "github-actions[bot]", MARKER + "\\nold")
                        + "]")));
    w.register(
        patch(urlPathMatching("/repos/" + REPO + "/issues/comments/.*"))
            .willReturn(okJson("{\"id\":41,\"body\":\"y\"}")));
    w.register(
        post(urlPathEqualTo("/repos/" + REPO + "/issues/12/comments"))
            .willReturn(okJson("{\"id\":42,\"body\":\"x\"}")));
    return w;
  }

  private static String comment(long id, String login, String jsonBody) {
    return "{\"id\":" + id + ",\"user\":" + user(login) + ",\"body\":\"" + jsonBody + "\"}";
  }

  private static String user(String login) {
    return "{\"login\":\"" + login + "\",\"id\":5,\"type\":\"User\"}";
  }

  private CliRun cli(WireMockRuntimeInfo wm, String... args) {
    String[] argv = new String[args.length + 2];
    System.arraycopy(args, 0, argv, 0, args.length);
    argv[args.length] = "--api-url";
    argv[args.length + 1] = wm.getHttpBaseUrl();
    CliRun run = CliRun.runQuickPolls(Map.of("GITHUB_TOKEN", TOKEN), argv);
    printed.add(run.out());
    printed.add(run.err());
    return run;
  }

  private static GitHubApi api(WireMockRuntimeInfo wm) {
    return GitHubRestClient.connect(wm.getHttpBaseUrl(), TOKEN, "GITHUB_TOKEN");
  }

  private byte[] tarball() throws Exception {
    return GitHubWireMock.tarball(dir, "acme-agent-sdk-0123456");
  }

  private static String json(String text) {
    return "\"" + text.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n") + "\"";
  }
}
