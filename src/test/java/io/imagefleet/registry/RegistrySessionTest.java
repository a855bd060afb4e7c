package io.imagefleet.registry;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.absent;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.head;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class RegistrySessionTest {
  private static final String DIGEST = "sha256:" + "a".repeat(64);
  WireMockServer wm;
  Repository repository;
  RegistrySession session;

  @BeforeEach
  void start() {
    wm = new WireMockServer(WireMockConfiguration.options().dynamicPort().bindAddress("127.0.0.1"));
    wm.start();
    String host = "localhost:" + wm.port();
    repository = new Repository(host, host, "ns/agent");
    Credentials credentials =
        Credentials.load(
            Map.of(
                "IMAGEFLEET_REGISTRY_USERNAME", "bot",
                "IMAGEFLEET_REGISTRY_PASSWORD", "s3cret",
                "HOME", "/nonexistent"),
            ImageReference.parse(host + "/ns/agent:t"));
    session =
        new RegistrySession(
            new RegistryTransport(
                credentials, InsecureRegistries.none(), 3, Duration.ofMillis(10)));
  }

  @AfterEach
  void stop() {
    wm.stop();
  }

  private static Deadline minute() {
    return Deadline.after(Duration.ofMinutes(1));
  }

  @Test
  void bearerChallengeIsAnsweredWithATokenForPullAndPush() {
    // given a registry that wants a token, and a token service that wants Basic credentials
    wm.stubFor(
        head(urlPathEqualTo("/v2/ns/agent/blobs/" + DIGEST))
            .atPriority(5)
            .willReturn(
                aResponse()
                    .withStatus(401)
                    .withHeader(
                        "WWW-Authenticate",
                        "Bearer realm=\"http://localhost:"
                            + wm.port()
                            + "/token\",service=\"registry.test\"")));
    wm.stubFor(
        get(urlPathEqualTo("/token"))
            .withQueryParam("service", equalTo("registry.test"))
            .withQueryParam("scope", equalTo("repository:ns/agent:pull,push"))
            .withHeader("Authorization", equalTo(basic("bot", "s3cret")))
            .willReturn(okJson("{\"token\":\"t1\"}")));
    wm.stubFor(
        head(urlPathEqualTo("/v2/ns/agent/blobs/" + DIGEST))
            .atPriority(1)
            .withHeader("Authorization", equalTo("Bearer t1"))
            .willReturn(aResponse().withStatus(200)));

    // when / then
    assertThat(session.blobExists(repository, DIGEST, minute())).isTrue();
    // the token is reused: one token request for two calls
    assertThat(session.blobExists(repository, DIGEST, minute())).isTrue();
    wm.verify(1, getRequestedFor(urlPathEqualTo("/token")));
  }

  @Test
  void serverErrorsAreRetried() {
    wm.stubFor(
        get(urlPathEqualTo("/v2/ns/agent/blobs/" + DIGEST))
            .inScenario("flaky")
            .whenScenarioStateIs(Scenario.STARTED)
            .willReturn(aResponse().withStatus(503))
            .willSetStateTo("up"));
    byte[] blob = "config".getBytes(StandardCharsets.UTF_8);
    String digest = Digests.sha256(blob);
    wm.stubFor(
        get(urlPathEqualTo("/v2/ns/agent/blobs/" + digest))
            .willReturn(aResponse().withStatus(200).withBody(blob)));
    wm.stubFor(
        get(urlPathEqualTo("/v2/ns/agent/blobs/" + DIGEST))
            .inScenario("flaky")
            .whenScenarioStateIs("up")
            .willReturn(
                aResponse()
                    .withStatus(307)
                    .withHeader("Location", "/v2/ns/agent/blobs/" + digest)));

    // a 503, then a redirect to the bytes: read, and checked against the digest asked for
    assertThatThrownBy(() -> session.getBlob(repository, DIGEST, minute()))
        .isInstanceOf(RegistryFailure.class)
        .hasMessage(
            "pull blob "
                + DIGEST
                + " from "
                + repository
                + " failed: the bytes have another digest");
    assertThat(session.getBlob(repository, digest, minute())).isEqualTo(blob);
  }

  @Test
  void deniedPushNamesTheActionTheObjectAndTheRegistrysWords() {
    wm.stubFor(
        post(urlPathEqualTo("/v2/ns/agent/blobs/uploads/"))
            .willReturn(
                aResponse()
                    .withStatus(403)
                    .withBody(
                        "{\"errors\":[{\"code\":\"DENIED\",\"message\":\"requested access to the"
                            + " resource is denied\"}]}")));

    assertThatThrownBy(() -> session.startUpload(repository, DIGEST, minute()))
        .isInstanceOf(RegistryFailure.class)
        .hasMessage(
            "push blob "
                + DIGEST
                + " to localhost:"
                + wm.port()
                + "/ns/agent failed: HTTP 403 DENIED: requested access to the resource is denied;"
                + " log in (docker login, or IMAGEFLEET_REGISTRY_USERNAME/_PASSWORD for the registry imagefleet pushes to) with a token"
                + " that may pull and push there");
  }

  @Test
  void credentialsDoNotFollowARedirectToAnotherHost() {
    byte[] blob = "layer".getBytes(StandardCharsets.UTF_8);
    String digest = Digests.sha256(blob);
    wm.stubFor(
        get(urlPathEqualTo("/v2/ns/agent/blobs/" + digest))
            .atPriority(5)
            .willReturn(
                aResponse().withStatus(401).withHeader("WWW-Authenticate", "Basic realm=\"r\"")));
    wm.stubFor(
        get(urlPathEqualTo("/v2/ns/agent/blobs/" + digest))
            .atPriority(1)
            .withHeader("Authorization", equalTo(basic("bot", "s3cret")))
            .willReturn(
                aResponse()
                    .withStatus(307)
                    .withHeader("Location", "http://127.0.0.1:" + wm.port() + "/storage/blob")));
    wm.stubFor(get(urlPathEqualTo("/storage/blob")).willReturn(aResponse().withBody(blob)));

    assertThat(session.getBlob(repository, digest, minute())).isEqualTo(blob);
    wm.verify(
        getRequestedFor(urlPathEqualTo("/storage/blob")).withHeader("Authorization", absent()));
  }

  @Test
  void refusedConnectionsMarkTheRegistryUnreachable() {
    wm.stop();

    assertThatThrownBy(() -> session.blobExists(repository, DIGEST, minute()))
        .isInstanceOfSatisfying(RegistryFailure.class, e -> assertThat(e.unreachable()).isTrue())
        .hasMessageContaining(
            "check blob " + DIGEST + " in " + repository + " failed: connection refused");
  }

  @Test
  void aDigestThatIsAPathNeverReachesAUrl() {
    for (String digest :
        new String[] {"sha256:../../v2/other/manifests/x", "sha256:" + "A".repeat(64)}) {
      assertThatThrownBy(() -> session.getBlob(repository, digest, minute()))
          .isInstanceOf(RegistryFailure.class)
          .hasMessageEndingWith(", which is no digest");
      assertThatThrownBy(() -> session.mountBlob(repository, digest, repository, minute()))
          .isInstanceOf(RegistryFailure.class);
    }
    wm.verify(0, anyRequestedFor(anyUrl()));
  }

  @Test
  void onlyLoopbackHostsArePlainHttp() {
    assertThat(new Repository("127.10.0.3", "127.10.0.3", "o/r").plainHttp()).isTrue();
    assertThat(new Repository("[::1]:5000", "[::1]:5000", "o/r").plainHttp()).isTrue();
    assertThat(new Repository("localhost:5000", "localhost:5000", "o/r").plainHttp()).isTrue();
    assertThat(new Repository("127.evil.example.com", "127.evil.example.com", "o/r").plainHttp())
        .isFalse();
    assertThat(new Repository("ghcr.io", "ghcr.io", "o/r").uri("blobs/x").getScheme())
        .isEqualTo("https");
  }

  @Test
  void platformsMatchLikeContainerd() {
    assertThat(Platform.parse("linux/arm64").matches("linux", "arm64", "v8")).isTrue();
    assertThat(Platform.parse("linux/arm64/v8").matches("linux", "arm64", "")).isTrue();
    assertThat(Platform.parse("linux/arm/v6").matches("linux", "arm", "v7")).isFalse();
    assertThat(Platform.LINUX_AMD64.matches("linux", "amd64", "v3")).isTrue();
    assertThat(Platform.LINUX_AMD64.matches("linux", "arm64", "")).isFalse();
    assertThatThrownBy(() -> Platform.parse("amd64"))
        .hasMessage("--platform amd64 is not os/architecture[/variant], e.g. linux/amd64");
  }

  private static String basic(String user, String password) {
    return "Basic "
        + Base64.getEncoder()
            .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
  }
}
