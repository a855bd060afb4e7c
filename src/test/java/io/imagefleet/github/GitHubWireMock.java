package io.imagefleet.github;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;

import com.github.tomakehurst.wiremock.client.ScenarioMappingBuilder;
import com.github.tomakehurst.wiremock.client.WireMock;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import java.util.Base64;

/** GitHub REST responses, as much of them as github-api reads, for WireMock stubs. */
final class GitHubWireMock {
  static final String TOKEN = "ghp_test0000secret1111token";
  static final String REPO = "acme/agent-sdk";

  private GitHubWireMock() {}

  static void repository(WireMock wm, String base) {
    repository(wm, base, REPO);
  }

  static void repository(WireMock wm, String base, String fullName) {
    wm.register(
        get(urlPathEqualTo("/repos/" + fullName))
            .willReturn(
                okJson(
                    "{\"id\":1,\"name\":\""
                        + fullName.split("/")[1]
                        + "\",\"full_name\":\""
                        + fullName
                        + "\",\"owner\":{\"login\":\"acme\",\"id\":2},"
                        + "\"url\":\""
                        + base
                        + "/repos/"
                        + REPO
                        + "\",\"html_url\":\"https://github.com/"
                        + REPO
                        + "\"}")));
  }

  static void workflow(WireMock wm, String file, String yaml) {
    wm.register(
        get(urlPathEqualTo("/repos/" + REPO + "/actions/workflows/" + file))
            .willReturn(
                okJson(
                    "{\"id\":7,\"name\":\"Build\",\"path\":\".github/workflows/"
                        + file
                        + "\",\"state\":\"active\"}")));
    wm.register(
        get(urlPathEqualTo("/repos/" + REPO + "/contents/.github/workflows/" + file))
            .willReturn(
                okJson(
                    "{\"type\":\"file\",\"encoding\":\"base64\",\"name\":\""
                        + file
                        + "\",\"path\":\".github/workflows/"
                        + file
                        + "\",\"content\":\""
                        + Base64.getEncoder().encodeToString(yaml.getBytes())
                        + "\"}")));
  }

  static String run(long id, String status, String conclusion) {
    return "{\"id\":"
        + id
        + ",\"name\":\"Build\",\"event\":\"workflow_dispatch\",\"head_branch\":\"main\",\"status\":\""
        + status
        + "\","
        + "\"conclusion\":"
        + (conclusion == null ? "null" : "\"" + conclusion + "\"")
        + ",\"workflow_id\":7,\"run_number\":"
        + id
        + ",\"html_url\":\"https://github.com/"
        + REPO
        + "/actions/runs/"
        + id
        + "\",\"created_at\":\"2026-11-23T10:00:00Z\","
        + "\"updated_at\":\"2026-11-23T10:00:00Z\"}";
  }

  static String runs(String... runs) {
    return "{\"total_count\":"
        + runs.length
        + ",\"workflow_runs\":["
        + String.join(",", runs)
        + "]}";
  }

  /** A source tarball as GitHub serves one: a single top directory holding the SDK. */
  static byte[] tarball(java.nio.file.Path dir, String top) throws Exception {
    java.nio.file.Path tree =
        java.nio.file.Files.createDirectories(dir.resolve("src").resolve(top));
    java.nio.file.Files.writeString(
        tree.resolve("pyproject.toml"), "[project]\nname = \"agent\"\n");
    java.nio.file.Path tar = dir.resolve("source.tar.gz");
    Process process =
        new ProcessBuilder("tar", "-czf", tar.toString(), "-C", dir.resolve("src").toString(), top)
            .start();
    if (process.waitFor() != 0) {
      throw new IllegalStateException("tar failed");
    }
    return java.nio.file.Files.readAllBytes(tar);
  }

  static com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder status(int code) {
    return aResponse()
        .withStatus(code)
        .withHeader("Content-Type", "application/json")
        .withBody("{\"message\":\"nope\"}");
  }

  /** The dispatched workflow's runs, answered in turn: a new run appears after the dispatch. */
  static void runsInTurn(WireMock wm, String... bodies) {
    inTurn(wm, "/repos/" + REPO + "/actions/workflows/7/runs", bodies);
  }

  /** GET {@code path} answers each JSON body once, in turn, and the last one from then on. */
  static void inTurn(WireMock wm, String path, String... bodies) {
    for (int i = 0; i < bodies.length; i++) {
      ScenarioMappingBuilder stub =
          get(urlPathEqualTo(path))
              .inScenario(path)
              .whenScenarioStateIs(i == 0 ? Scenario.STARTED : "answer " + i)
              .willReturn(okJson(bodies[i]));
      wm.register(i < bodies.length - 1 ? stub.willSetStateTo("answer " + (i + 1)) : stub);
    }
  }
}
