package io.imagefleet.registry;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.request;
import static com.github.tomakehurst.wiremock.client.WireMock.requestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import io.imagefleet.ImagefleetException;
import io.imagefleet.PeerFailure;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Credentials and redirects: two loopback servers on different ports are two origins; the second
 * must never see the first one's credentials.
 */
class RegistryRedirectTest {
  private static final String MANIFEST = "/v2/org/agent/manifests/v1";

  @RegisterExtension
  static WireMockExtension registry =
      WireMockExtension.newInstance().options(wireMockConfig().dynamicPort()).build();

  @RegisterExtension
  static WireMockExtension other =
      WireMockExtension.newInstance().options(wireMockConfig().dynamicPort()).build();

  @TempDir Path dir;

  @Test
  void aRedirectToAnotherOriginGoesWithoutTheBasicLogin() throws Exception {
    String basic = "Basic " + base64("bot:s3cret");
    registry.stubFor(
        request("HEAD", urlPathEqualTo(MANIFEST))
            .withHeader("Authorization", equalTo(basic))
            .atPriority(1)
            .willReturn(
                aResponse().withStatus(302).withHeader("Location", other.baseUrl() + MANIFEST)));
    registry.stubFor(
        request("HEAD", urlPathEqualTo(MANIFEST))
            .atPriority(5)
            .willReturn(
                aResponse().withStatus(401).withHeader("WWW-Authenticate", "Basic realm=\"r\"")));
    other.stubFor(
        request("HEAD", urlPathEqualTo(MANIFEST))
            .willReturn(
                aResponse()
                    .withStatus(200)
                    .withHeader(
                        "Docker-Content-Digest",
                        "sha256:ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff")));

    assertThat(client(login("bot:s3cret")).manifestDigest(reference()))
        .contains("sha256:ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff");

    registry.verify(
        requestedFor("HEAD", urlPathEqualTo(MANIFEST)).withHeader("Authorization", equalTo(basic)));
    other.verify(1, requestedFor("HEAD", urlPathEqualTo(MANIFEST)));
    other.verify(1, requestedFor("HEAD", urlPathEqualTo(MANIFEST)).withoutHeader("Authorization"));
  }

  @Test
  void aTokenRealmThatRedirectsElsewhereGetsNoCredentialsThere() throws Exception {
    String realm = registry.baseUrl() + "/token";
    registry.stubFor(
        request("HEAD", urlPathEqualTo(MANIFEST))
            .withHeader("Authorization", equalTo("Bearer t0k3n"))
            .atPriority(1)
            .willReturn(aResponse().withStatus(404)));
    registry.stubFor(
        request("HEAD", urlPathEqualTo(MANIFEST))
            .atPriority(5)
            .willReturn(
                aResponse()
                    .withStatus(401)
                    .withHeader("WWW-Authenticate", "Bearer realm=\"" + realm + "\"")));
    registry.stubFor(
        get(urlPathEqualTo("/token"))
            .willReturn(
                aResponse()
                    .withStatus(307)
                    .withHeader("Location", other.baseUrl() + "/token?scope=x")));
    other.stubFor(get(urlPathEqualTo("/token")).willReturn(okJson("{\"token\":\"t0k3n\"}")));

    assertThat(client(login("bot:s3cret")).manifestDigest(reference())).isEmpty();

    registry.verify(
        getRequestedFor(urlPathEqualTo("/token"))
            .withHeader("Authorization", equalTo("Basic " + base64("bot:s3cret"))));
    other.verify(1, getRequestedFor(urlPathEqualTo("/token")));
    other.verify(1, getRequestedFor(urlPathEqualTo("/token")).withoutHeader("Authorization"));
  }

  @Test
  void aChallengeFromTheRedirectTargetIsNotAnsweredWithTheRegistrysLogin() throws Exception {
    registry.stubFor(
        request("HEAD", urlPathEqualTo(MANIFEST))
            .willReturn(
                aResponse().withStatus(302).withHeader("Location", other.baseUrl() + MANIFEST)));
    other.stubFor(
        request("HEAD", urlPathEqualTo(MANIFEST))
            .willReturn(
                aResponse().withStatus(401).withHeader("WWW-Authenticate", "Basic realm=\"x\"")));

    assertThatThrownBy(() -> client(login("bot:s3cret")).manifestDigest(reference()))
        .hasMessageStartingWith("check " + reference() + " in the registry failed: HTTP 401");

    other.verify(1, requestedFor("HEAD", urlPathEqualTo(MANIFEST)));
    other.verify(1, requestedFor("HEAD", urlPathEqualTo(MANIFEST)).withoutHeader("Authorization"));
  }

  @Test
  void credentialsNeverGoToAPlainHttpRealmOffLoopback() throws Exception {
    registry.stubFor(
        request("HEAD", urlPathEqualTo(MANIFEST))
            .willReturn(
                aResponse()
                    .withStatus(401)
                    .withHeader(
                        "WWW-Authenticate", "Bearer realm=\"http://auth.example.test/token\"")));

    assertThatThrownBy(() -> client(login("bot:s3cret")).manifestDigest(reference()))
        .isInstanceOf(ImagefleetException.class)
        .hasMessage(
            "check "
                + reference()
                + " in the registry failed: refused to contact http://auth.example.test:"
                + " imagefleet uses plain HTTP only for loopback and --insecure-registry hosts (HTTPS"
                + " otherwise)");
    RegistryClient namedInsecure =
        new RegistryClient(
            login("bot:s3cret"),
            InsecureRegistries.of(List.of("auth.example.test")),
            1,
            Duration.ZERO);
    // a realm on a host the user named insecure is theirs to trust: it is asked (and fails here)
    assertThatThrownBy(() -> namedInsecure.manifestDigest(reference()))
        .hasMessageStartingWith("token request to auth.example.test for ")
        .isInstanceOf(PeerFailure.class);
  }

  @Test
  void aRedirectDownToPlainHttpOffLoopbackIsRefused() {
    registry.stubFor(
        request("HEAD", urlPathEqualTo(MANIFEST))
            .willReturn(
                aResponse()
                    .withStatus(301)
                    .withHeader("Location", "http://blobs.example.test" + MANIFEST)));

    assertThatThrownBy(() -> client(Credentials.none()).manifestDigest(reference()))
        .hasMessage(
            "check "
                + reference()
                + " in the registry failed: refused to contact http://blobs.example.test:"
                + " imagefleet uses plain HTTP only for loopback and --insecure-registry hosts (HTTPS"
                + " otherwise)");
  }

  @Test
  void redirectsAreBounded() {
    registry.stubFor(
        request("HEAD", urlPathEqualTo(MANIFEST))
            .willReturn(aResponse().withStatus(302).withHeader("Location", MANIFEST)));

    assertThatThrownBy(() -> client(Credentials.none()).manifestDigest(reference()))
        .hasMessage("check " + reference() + " in the registry failed: more than 5 redirects");
    registry.verify(6, requestedFor("HEAD", urlPathEqualTo(MANIFEST)));
  }

  private Credentials login(String pair) throws Exception {
    String host = "localhost:" + registry.getPort();
    Files.writeString(
        dir.resolve("config.json"),
        "{\"auths\":{\"" + host + "\":{\"auth\":\"" + base64(pair) + "\"}}}");
    return Credentials.load(
        Map.of("DOCKER_CONFIG", dir.toString()), ImageReference.parse("target.example/o/r:t"));
  }

  private static RegistryClient client(Credentials credentials) {
    return new RegistryClient(credentials, InsecureRegistries.none(), 1, Duration.ZERO);
  }

  private static ImageReference reference() {
    return ImageReference.parse("localhost:" + registry.getPort() + "/org/agent:v1");
  }

  private static String base64(String text) {
    return Base64.getEncoder().encodeToString(text.getBytes());
  }
}
