package io.imagefleet.registry;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.absent;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.matching;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The rules of the one registry transport against hostile peers on loopback: a registry that names
 * odd token realms, redirects to odd places, answers without end, or sends digests that are paths.
 */
class RegistryTransportTest {
  private static final String DIGEST = "sha256:" + "a".repeat(64);
  private static final String SECRET = "push-s3cret";

  WireMockServer registry;
  WireMockServer other;
  Repository repository;
  RegistryTransport transport;

  @BeforeEach
  void start() {
    registry = server();
    other = server();
    String host = "127.0.0.1:" + registry.port();
    repository = new Repository(host, host, "ns/agent");
    Credentials login =
        Credentials.load(
            Map.of(
                "IMAGEFLEET_REGISTRY_USERNAME", "bot",
                "IMAGEFLEET_REGISTRY_PASSWORD", SECRET,
                "HOME", "/nonexistent"),
            ImageReference.parse(host + "/ns/agent:t"));
    transport = new RegistryTransport(login, InsecureRegistries.none(), 3, Duration.ofMillis(10));
  }

  @AfterEach
  void stop() {
    registry.stop();
    other.stop();
  }

  private static WireMockServer server() {
    WireMockServer server =
        new WireMockServer(WireMockConfiguration.options().dynamicPort().bindAddress("127.0.0.1"));
    server.start();
    return server;
  }

  private RegistryCall blob() {
    return RegistryCall.of(
        "pull blob " + DIGEST + " from " + repository,
        "GET",
        repository.uri("blobs/" + DIGEST),
        RegistryCall.Scope.pull(repository),
        Set.of(200));
  }

  private HttpResponse<byte[]> send(RegistryCall call, int cap) {
    return transport.send(call, BoundedBody.upTo(cap), Deadline.after(Duration.ofMinutes(1)));
  }

  @Test
  void aTokenRealmWithUserInfoIsRefusedNotReadAsLoopback() {
    // given a realm whose text starts like loopback but whose host is elsewhere
    registry.stubFor(
        any(anyUrl())
            .willReturn(
                aResponse()
                    .withStatus(401)
                    .withHeader(
                        "WWW-Authenticate",
                        "Bearer realm=\"http://127.0.0.1:1@192.0.2.2:5503/token\"")));

    assertThatThrownBy(() -> send(blob(), BoundedBody.CONFIG))
        .isInstanceOf(RegistryFailure.class)
        .hasMessage(
            "pull blob "
                + DIGEST
                + " from "
                + repository
                + " failed: refused the URL 'http://127.0.0.1:1@192.0.2.2:5503/token?scope="
                + "repository%3Ans%2Fagent%3Apull' (no host, or user info in it)");
  }

  @Test
  void anErrorBodyOfManyLinesIsOneLineOfTheMessage() {
    // given a registry whose refusal is text of several lines
    registry.stubFor(
        get(anyUrl())
            .willReturn(aResponse().withStatus(404).withBody("not\r\nhere\n\n::error::x\tok")));

    assertThatThrownBy(() -> send(blob(), BoundedBody.CONFIG))
        .isInstanceOf(RegistryFailure.class)
        .hasMessageEndingWith("failed: HTTP 404 not here ::error::x ok");
    registry.stubFor(
        get(anyUrl())
            .willReturn(
                aResponse()
                    .withStatus(404)
                    .withBody(
                        "{\"errors\":[{\"code\":\"NOT\\nFOUND\",\"message\":\"a\\n\\nb\"}]}")));
    assertThatThrownBy(() -> send(blob(), BoundedBody.CONFIG))
        .hasMessageEndingWith("failed: HTTP 404 NOT FOUND: a b");
  }

  @Test
  void anUpperCasePlainHttpRedirectOffLoopbackIsRefused() {
    registry.stubFor(
        get(anyUrl())
            .willReturn(
                aResponse().withStatus(307).withHeader("Location", "HTTP://192.0.2.2:5503/blob")));

    assertThatThrownBy(() -> send(blob(), BoundedBody.CONFIG))
        .isInstanceOf(RegistryFailure.class)
        .hasMessageEndingWith(
            "failed: refused to contact http://192.0.2.2: imagefleet uses plain HTTP only for"
                + " loopback and --insecure-registry hosts (HTTPS otherwise)");
  }

  @Test
  void aChallengeFromARedirectTargetOnAnotherHostGetsNoLoginAndNoAnswer() {
    // given the registry asks for Basic, then sends the blob read to another host, which asks too
    registry.stubFor(
        get(anyUrl())
            .atPriority(5)
            .willReturn(
                aResponse().withStatus(401).withHeader("WWW-Authenticate", "Basic realm=\"r\"")));
    registry.stubFor(
        get(anyUrl())
            .atPriority(1)
            .withHeader("Authorization", matching("Basic .*"))
            .willReturn(
                aResponse()
                    .withStatus(307)
                    .withHeader("Location", "http://127.0.0.1:" + other.port() + "/storage")));
    other.stubFor(
        get(anyUrl())
            .willReturn(
                aResponse()
                    .withStatus(401)
                    .withHeader("WWW-Authenticate", "Basic realm=\"storage\"")));

    assertThatThrownBy(() -> send(blob(), BoundedBody.CONFIG))
        .isInstanceOf(RegistryFailure.class)
        .hasMessageContaining("failed: HTTP 401");
    other.verify(1, getRequestedFor(urlPathEqualTo("/storage")));
    other.verify(0, anyRequestedFor(anyUrl()).withHeader("Authorization", matching(".*")));
  }

  @Test
  void anUploadLocationOnAnotherOriginIsRefused() {
    RegistryCall start =
        RegistryCall.of(
            "push blob " + DIGEST + " to " + repository,
            "POST",
            repository.uri("blobs/uploads/"),
            RegistryCall.Scope.push(repository),
            Set.of(202));
    for (String location :
        new String[] {
          "http://127.0.0.1:" + other.port() + "/upload",
          "https://127.0.0.1:" + registry.port() + "/upload",
          "http://localhost:" + registry.port() + "/upload"
        }) {
      registry.stubFor(
          post(anyUrl()).willReturn(aResponse().withStatus(202).withHeader("Location", location)));
      HttpResponse<Void> response =
          transport.send(
              start, HttpResponse.BodyHandlers.discarding(), Deadline.after(Duration.ofMinutes(1)));

      assertThatThrownBy(() -> transport.sameOriginLocation(start, response))
          .as(location)
          .isInstanceOf(RegistryFailure.class)
          .hasMessageContaining("failed: upload location on another origin");
    }
  }

  @Test
  void anEndlessManifestCostsItsCapAndFailsNamingTheRegistry() {
    registry.stubFor(
        get(anyUrl()).willReturn(aResponse().withStatus(200).withBody(new byte[5 << 20])));

    assertThatThrownBy(() -> send(blob(), BoundedBody.MANIFEST))
        .isInstanceOf(RegistryFailure.class)
        .hasMessage(
            "pull blob "
                + DIGEST
                + " from "
                + repository
                + " failed: 127.0.0.1:"
                + registry.port()
                + " sent more than 4 MiB");
  }

  @Test
  void aTokenAnswerPastItsCapIsRefused() {
    registry.stubFor(
        get(urlPathEqualTo("/v2/ns/agent/blobs/" + DIGEST))
            .willReturn(
                aResponse()
                    .withStatus(401)
                    .withHeader(
                        "WWW-Authenticate",
                        "Bearer realm=\"http://127.0.0.1:" + registry.port() + "/token\"")));
    registry.stubFor(
        get(urlPathEqualTo("/token"))
            .willReturn(okJson("{\"token\":\"" + "t".repeat(100_000) + "\"}")));

    assertThatThrownBy(() -> send(blob(), BoundedBody.CONFIG))
        .isInstanceOf(RegistryFailure.class)
        .hasMessageEndingWith("sent more than 64 KiB");
  }

  @Test
  void retryAfterIsWaitedAndAnUnreadableOneFallsBackToTheBackoff() {
    registry.stubFor(
        get(anyUrl())
            .inScenario("limited")
            .whenScenarioStateIs(Scenario.STARTED)
            .willReturn(aResponse().withStatus(429).withHeader("Retry-After", "1"))
            .willSetStateTo("soon"));
    registry.stubFor(
        get(anyUrl())
            .inScenario("limited")
            .whenScenarioStateIs("soon")
            .willReturn(aResponse().withStatus(503).withHeader("Retry-After", "soon"))
            .willSetStateTo("ok"));
    registry.stubFor(
        get(anyUrl())
            .inScenario("limited")
            .whenScenarioStateIs("ok")
            .willReturn(aResponse().withStatus(200).withBody("{}")));

    long start = System.nanoTime();
    assertThat(send(blob(), BoundedBody.CONFIG).body()).isEqualTo("{}".getBytes());
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThan(Duration.ofMillis(950));
  }

  @Test
  void aRetryAfterDateIsReadAndCapped() {
    assertThat(RegistryTransport.parseRetryAfter("120")).contains(Duration.ofSeconds(60));
    assertThat(RegistryTransport.parseRetryAfter("Wed, 21 Oct 2015 07:28:00 GMT"))
        .contains(Duration.ZERO);
    assertThat(RegistryTransport.parseRetryAfter("soon")).isEmpty();
    assertThat(RegistryTransport.parseRetryAfter("99999999999999999999999")).isEmpty();
  }

  @Test
  void theTargetsLoginGoesToTheTargetOnly() {
    String basic =
        "Basic "
            + Base64.getEncoder()
                .encodeToString(("bot:" + SECRET).getBytes(StandardCharsets.UTF_8));
    String otherHost = "127.0.0.1:" + other.port();
    Repository stranger = new Repository(otherHost, otherHost, "evil/base");
    for (WireMockServer server : new WireMockServer[] {registry, other}) {
      server.stubFor(
          get(anyUrl())
              .atPriority(5)
              .willReturn(
                  aResponse().withStatus(401).withHeader("WWW-Authenticate", "Basic realm=\"r\"")));
      server.stubFor(
          get(anyUrl())
              .atPriority(1)
              .withHeader("Authorization", equalTo(basic))
              .willReturn(aResponse().withStatus(200).withBody("{}")));
    }
    RegistryCall strangers =
        RegistryCall.of(
            "pull blob " + DIGEST + " from " + stranger,
            "GET",
            stranger.uri("blobs/" + DIGEST),
            RegistryCall.Scope.pull(stranger),
            Set.of(200));

    assertThat(send(blob(), BoundedBody.CONFIG).statusCode()).isEqualTo(200);
    assertThatThrownBy(() -> send(strangers, BoundedBody.CONFIG))
        .hasMessageContaining("failed: HTTP 401");
    other.verify(0, anyRequestedFor(anyUrl()).withHeader("Authorization", matching(".*")));
    registry.verify(getRequestedFor(anyUrl()).withHeader("Authorization", equalTo(basic)));
    other.verify(getRequestedFor(anyUrl()).withHeader("Authorization", absent()));
  }
}
