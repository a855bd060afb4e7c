package io.imagefleet.retain;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.delete;
import static com.github.tomakehurst.wiremock.client.WireMock.deleteRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.junit5.WireMockRuntimeInfo;
import com.github.tomakehurst.wiremock.junit5.WireMockTest;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import io.imagefleet.ImagefleetException;
import io.imagefleet.PeerFailure;
import io.imagefleet.github.GitHubAccess;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** ghcr.io deletion through GitHub's package versions API, against WireMock. */
@WireMockTest
class GitHubPackageDeleterTest {
  private static final String ORG_VERSIONS = "/orgs/acme/packages/container/swe-agent/versions";
  private static final String USER_VERSIONS = "/users/acme/packages/container/swe-agent/versions";

  private final List<Duration> waits = new ArrayList<>();

  @Test
  void listsEveryPageThenDeletesTheVersionOfADigest(WireMockRuntimeInfo wm) {
    // given two pages of versions under an organization
    String page2 = wm.getHttpBaseUrl() + ORG_VERSIONS + "?per_page=100&page=2";
    wm.getWireMock()
        .register(
            get(urlPathEqualTo(ORG_VERSIONS))
                .withQueryParam("per_page", equalTo("100"))
                .withHeader("Authorization", equalTo("Bearer s3cret"))
                .willReturn(
                    okJson(
                            "[{\"id\":11,\"name\":\"sha256:aa\"},{\"id\":12,\"name\":\"sha256:bb\"}]")
                        .withHeader(
                            "Link",
                            "<" + page2 + ">; rel=\"next\", <" + page2 + ">; rel=\"last\"")));
    wm.getWireMock()
        .register(
            get(urlPathEqualTo(ORG_VERSIONS))
                .withQueryParam("page", equalTo("2"))
                .atPriority(1)
                .willReturn(okJson("[{\"id\":13,\"name\":\"sha256:cc\"}]")));
    wm.getWireMock()
        .register(
            delete(urlPathEqualTo(ORG_VERSIONS + "/13")).willReturn(aResponse().withStatus(204)));
    GitHubPackageDeleter deleter = deleter(wm);

    // when
    Map<String, Long> versions = deleter.versions();
    deleter.delete("sha256:cc");
    deleter.delete("sha256:gone");

    // then
    assertThat(versions)
        .containsExactlyInAnyOrderEntriesOf(
            Map.of("sha256:aa", 11L, "sha256:bb", 12L, "sha256:cc", 13L));
    wm.getWireMock().verifyThat(1, deleteRequestedFor(urlPathEqualTo(ORG_VERSIONS + "/13")));
    wm.getWireMock().verifyThat(2, getRequestedFor(urlPathEqualTo(ORG_VERSIONS)));
    assertThat(waits).isEmpty();
  }

  @Test
  void aPersonalAccountsPackageIsFoundUnderUsers(WireMockRuntimeInfo wm) {
    wm.getWireMock()
        .register(get(urlPathEqualTo(ORG_VERSIONS)).willReturn(aResponse().withStatus(404)));
    wm.getWireMock()
        .register(
            get(urlPathEqualTo(USER_VERSIONS))
                .willReturn(okJson("[{\"id\":7,\"name\":\"sha256:aa\"}]")));
    wm.getWireMock()
        .register(
            delete(urlPathEqualTo(USER_VERSIONS + "/7")).willReturn(aResponse().withStatus(204)));

    deleter(wm).delete("sha256:aa");

    wm.getWireMock().verifyThat(1, deleteRequestedFor(urlPathEqualTo(USER_VERSIONS + "/7")));
  }

  @Test
  void waitsOutThePrimaryAndSecondaryRateLimits(WireMockRuntimeInfo wm) {
    long reset = System.currentTimeMillis() / 1000 + 30;
    wm.getWireMock()
        .register(
            get(urlPathEqualTo(ORG_VERSIONS))
                .inScenario("limits")
                .whenScenarioStateIs(Scenario.STARTED)
                .willReturn(
                    aResponse()
                        .withStatus(403)
                        .withHeader("x-ratelimit-remaining", "0")
                        .withHeader("x-ratelimit-reset", String.valueOf(reset)))
                .willSetStateTo("primary waited"));
    wm.getWireMock()
        .register(
            get(urlPathEqualTo(ORG_VERSIONS))
                .inScenario("limits")
                .whenScenarioStateIs("primary waited")
                .willReturn(aResponse().withStatus(429).withHeader("retry-after", "7"))
                .willSetStateTo("secondary waited"));
    wm.getWireMock()
        .register(
            get(urlPathEqualTo(ORG_VERSIONS))
                .inScenario("limits")
                .whenScenarioStateIs("secondary waited")
                .willReturn(okJson("[{\"id\":5,\"name\":\"sha256:aa\"}]")));

    Map<String, Long> versions = deleter(wm).versions();

    assertThat(versions).containsEntry("sha256:aa", 5L);
    assertThat(waits).hasSize(2);
    assertThat(waits.get(0)).isBetween(Duration.ofSeconds(25), Duration.ofSeconds(32));
    assertThat(waits.get(1)).isEqualTo(Duration.ofSeconds(7));
  }

  @Test
  void aLinkToAnotherSchemeOnTheSameHostAndPortIsNotFollowed(WireMockRuntimeInfo wm) {
    // given a page whose next link changes http to https, same host and port
    String next = "https://localhost:" + wm.getHttpPort() + ORG_VERSIONS + "?per_page=100&page=2";
    wm.getWireMock()
        .register(
            get(urlPathEqualTo(ORG_VERSIONS))
                .willReturn(
                    okJson("[{\"id\":5,\"name\":\"sha256:aa\"}]")
                        .withHeader("Link", "<" + next + ">; rel=\"next\"")));

    // then the listing stops there, naming both origins
    assertThatThrownBy(() -> deleter(wm).versions())
        .isInstanceOf(ImagefleetException.class)
        .isInstanceOf(PeerFailure.class)
        .hasMessage(
            "GitHub's Link header points to https://localhost:"
                + wm.getHttpPort()
                + ", not to the API at http://localhost:"
                + wm.getHttpPort()
                + "; not following it");
    wm.getWireMock().verifyThat(1, getRequestedFor(urlPathEqualTo(ORG_VERSIONS)));
  }

  @Test
  void aRetryAfterThatIsADateIsWaitedUntilAndOneThatIsNeitherWaitsTheDefault(
      WireMockRuntimeInfo wm) {
    // given a 429 with an HTTP date, a 429 and a 403 with nonsense, a primary limit with a bad
    // reset
    // (four answers: the fifth attempt's answer is final)
    String inTwentySeconds =
        DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.ENGLISH)
            .format(ZonedDateTime.now(ZoneOffset.UTC).plusSeconds(20));
    String[][] answers = {
      {"429", "retry-after", inTwentySeconds},
      {"429", "retry-after", "soon"},
      {"403", "retry-after", "99999999999999999999999"},
      {"403", "x-ratelimit-reset", "later"},
    };
    String state = Scenario.STARTED;
    for (int i = 0; i < answers.length; i++) {
      var response = aResponse().withStatus(Integer.parseInt(answers[i][0]));
      response.withHeader(answers[i][1], answers[i][2]);
      if (answers[i][1].startsWith("x-ratelimit")) {
        response.withHeader("x-ratelimit-remaining", "0");
      }
      wm.getWireMock()
          .register(
              get(urlPathEqualTo(ORG_VERSIONS))
                  .inScenario("retry-after")
                  .whenScenarioStateIs(state)
                  .willReturn(response)
                  .willSetStateTo("answer " + i));
      state = "answer " + i;
    }
    wm.getWireMock()
        .register(
            get(urlPathEqualTo(ORG_VERSIONS))
                .inScenario("retry-after")
                .whenScenarioStateIs(state)
                .willReturn(okJson("[{\"id\":5,\"name\":\"sha256:aa\"}]")));

    // when
    Map<String, Long> versions = deleter(wm).versions();

    // then nothing threw: the date is waited until, the rest wait GitHub's minute
    assertThat(versions).containsEntry("sha256:aa", 5L);
    assertThat(waits).hasSize(4);
    assertThat(waits.get(0)).isBetween(Duration.ofSeconds(15), Duration.ofSeconds(21));
    assertThat(waits.subList(1, 4)).containsOnly(Duration.ofSeconds(60));
  }

  @Test
  void aTokenThatMayNotDeleteExitsFourAndNeverShowsTheToken(WireMockRuntimeInfo wm) {
    wm.getWireMock()
        .register(
            get(urlPathEqualTo(ORG_VERSIONS))
                .willReturn(okJson("[{\"id\":5,\"name\":\"sha256:aa\"}]")));
    wm.getWireMock()
        .register(
            delete(urlPathEqualTo(ORG_VERSIONS + "/5")).willReturn(aResponse().withStatus(403)));

    assertThatThrownBy(() -> deleter(wm).delete("sha256:aa"))
        .isInstanceOf(ImagefleetException.class)
        .hasMessage(
            "delete package version 5 (sha256:aa) failed: HTTP 403; the token needs read:packages"
                + " and delete:packages (admin of the package)")
        .isInstanceOf(PeerFailure.class)
        .hasMessageNotContaining("s3cret");
  }

  private GitHubPackageDeleter deleter(WireMockRuntimeInfo wm) {
    return new GitHubPackageDeleter(
        "acme/swe-agent",
        new GitHubAccess(wm.getHttpBaseUrl(), "GITHUB_TOKEN", "s3cret"),
        waits::add);
  }
}
