package io.imagefleet.registry;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.request;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.junit5.WireMockRuntimeInfo;
import com.github.tomakehurst.wiremock.junit5.WireMockTest;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import io.imagefleet.ImagefleetException;
import io.imagefleet.PeerFailure;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The distribution calls against WireMock standing in for ghcr.io-style token auth and faults. */
@WireMockTest
class RegistryClientTest {
  private static final String MANIFEST = "/v2/org/agent/manifests/abc1234-base";

  @TempDir Path dir;

  @Test
  void followsTheAnonymousBearerChallenge(WireMockRuntimeInfo wm) {
    wm.getWireMock()
        .register(
            request("HEAD", urlPathEqualTo(MANIFEST))
                .withHeader("Authorization", equalTo("Bearer t0k3n"))
                .atPriority(1)
                .willReturn(
                    aResponse()
                        .withStatus(200)
                        .withHeader(
                            "Docker-Content-Digest",
                            "sha256:ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff")));
    challenge(wm, ",service=\"reg\",scope=\"repository:org/agent:pull\"");
    wm.getWireMock()
        .register(get(urlPathEqualTo("/token")).willReturn(okJson("{\"token\":\"t0k3n\"}")));

    Optional<String> digest = client(Credentials.none()).manifestDigest(reference(wm));

    assertThat(digest)
        .contains("sha256:ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff");
    wm.getWireMock()
        .verifyThat(
            getRequestedFor(urlPathEqualTo("/token"))
                .withQueryParam("service", equalTo("reg"))
                .withQueryParam("scope", equalTo("repository:org/agent:pull"))
                .withoutHeader("Authorization"));
  }

  @Test
  void sendsConfigCredentialsToTheTokenEndpoint(WireMockRuntimeInfo wm) throws Exception {
    String host = "localhost:" + wm.getHttpPort();
    String auth = Base64.getEncoder().encodeToString("bot:s3cret".getBytes());
    Files.writeString(
        dir.resolve("config.json"), "{\"auths\":{\"" + host + "\":{\"auth\":\"" + auth + "\"}}}");
    Credentials credentials =
        Credentials.load(
            Map.of("DOCKER_CONFIG", dir.toString()), ImageReference.parse("target.example/o/r:t"));
    wm.getWireMock()
        .register(
            request("HEAD", urlPathEqualTo(MANIFEST))
                .withHeader("Authorization", equalTo("Bearer private"))
                .atPriority(1)
                .willReturn(aResponse().withStatus(404)));
    challenge(wm, ",service=\"reg\"");
    wm.getWireMock()
        .register(
            get(urlPathEqualTo("/token"))
                .withHeader("Authorization", equalTo("Basic " + auth))
                .willReturn(okJson("{\"access_token\":\"private\"}")));

    assertThat(client(credentials).manifestDigest(reference(wm))).isEmpty();
    assertThat(credentials.forRegistry(host).orElseThrow().toString()).doesNotContain("s3cret");
  }

  @Test
  void aMalformedConfigEntrySkipsOnlyItselfAndSaysWhich() throws Exception {
    String good = Base64.getEncoder().encodeToString("bot:s3cret".getBytes());
    String noColon = Base64.getEncoder().encodeToString("justatoken".getBytes());
    Files.writeString(
        dir.resolve("config.json"),
        "{\"auths\":{\"a.example\":{\"auth\":\"%%%not-base64\"},"
            + "\"b.example\":{\"auth\":\""
            + noColon
            + "\"},\"https://c.example/v1/\":{\"auth\":\""
            + good
            + "\"}}}");

    Credentials credentials =
        Credentials.load(
            Map.of("DOCKER_CONFIG", dir.toString()), ImageReference.parse("target.example/o/r:t"));

    assertThat(credentials.forRegistry("a.example")).isEmpty();
    assertThat(credentials.forRegistry("b.example")).isEmpty();
    assertThat(credentials.forRegistry("c.example"))
        .contains(new Credentials.Login("bot", "s3cret"));
    Path config = dir.resolve("config.json");
    assertThat(credentials.warnings())
        .containsExactly(
            config + ": auths entry 'a.example' is not base64 of user:password; skipped it",
            config + ": auths entry 'b.example' is not base64 of user:password; skipped it");
    assertThat(String.join("\n", credentials.warnings())).doesNotContain("justatoken");
  }

  @Test
  void retriesServerErrorsAndRateLimits(WireMockRuntimeInfo wm) {
    wm.getWireMock()
        .register(
            request("HEAD", urlPathEqualTo(MANIFEST))
                .inScenario("flap")
                .whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withStatus(503))
                .willSetStateTo("limited"));
    wm.getWireMock()
        .register(
            request("HEAD", urlPathEqualTo(MANIFEST))
                .inScenario("flap")
                .whenScenarioStateIs("limited")
                .willReturn(aResponse().withStatus(429))
                .willSetStateTo("ok"));
    wm.getWireMock()
        .register(
            request("HEAD", urlPathEqualTo(MANIFEST))
                .inScenario("flap")
                .whenScenarioStateIs("ok")
                .willReturn(
                    aResponse()
                        .withStatus(200)
                        .withHeader(
                            "Docker-Content-Digest",
                            "sha256:eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee")));

    assertThat(client(Credentials.none()).manifestDigest(reference(wm)))
        .contains("sha256:eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee");
  }

  @Test
  void aRegistryThatKeepsFailingIsUnreachable(WireMockRuntimeInfo wm) {
    wm.getWireMock()
        .register(
            request("HEAD", urlPathEqualTo(MANIFEST)).willReturn(aResponse().withStatus(502)));

    assertThatThrownBy(() -> client(Credentials.none()).manifestDigest(reference(wm)))
        .isInstanceOf(ImagefleetException.class)
        .hasMessage(
            "check localhost:"
                + wm.getHttpPort()
                + "/org/agent:abc1234-base in the registry failed after 3 attempts (last: HTTP 502)")
        .isInstanceOf(PeerFailure.class);
  }

  @Test
  void aRefusedTokenIsUnauthorizedWithAHint(WireMockRuntimeInfo wm) {
    challenge(wm, "");
    wm.getWireMock()
        .register(get(urlPathEqualTo("/token")).willReturn(aResponse().withStatus(403)));

    assertThatThrownBy(() -> client(Credentials.none()).manifestDigest(reference(wm)))
        .hasMessage(
            "token request to localhost for localhost:"
                + wm.getHttpPort()
                + "/org/agent (check "
                + reference(wm)
                + " in the registry) failed: HTTP 403; log in (docker login, or"
                + " IMAGEFLEET_REGISTRY_USERNAME/_PASSWORD for the registry imagefleet pushes to) with a token that may read it");
  }

  @Test
  void aDigestHeaderThatIsNoDigestIsRefused(WireMockRuntimeInfo wm) {
    wm.getWireMock()
        .register(
            request("HEAD", urlPathEqualTo(MANIFEST))
                .willReturn(
                    aResponse()
                        .withStatus(200)
                        .withHeader("Docker-Content-Digest", "sha256:../x")));

    assertThatThrownBy(() -> client(Credentials.none()).manifestDigest(reference(wm)))
        .isInstanceOf(RegistryFailure.class)
        .hasMessage(
            "localhost:"
                + wm.getHttpPort()
                + " ("
                + reference(wm)
                + ") named 'sha256:../x', which is no digest");
  }

  @Test
  void parsesReferencesTheWayDockerDoes() {
    assertThat(ImageReference.parse("ubuntu"))
        .isEqualTo(new ImageReference("docker.io", "library/ubuntu", "latest"));
    assertThat(ImageReference.parse("ghcr.io/org/agent:v1"))
        .isEqualTo(new ImageReference("ghcr.io", "org/agent", "v1"));
    assertThat(ImageReference.parse("[::1]:5000/ns/agent").registry()).isEqualTo("[::1]:5000");
    assertThat(ImageReference.parse("docker.io/swebench/x").apiHost())
        .isEqualTo("registry-1.docker.io");
    assertThat(ImageReference.parse("docker.io/library/ubuntu:22.04").repositoryName())
        .isEqualTo("ubuntu");
    assertThatThrownBy(() -> ImageReference.parse("ghcr.io/Org/Agent"))
        .hasMessageContaining("is not a valid image repository");
    for (String bad :
        new String[] {"ex ample.com/x", "localhost:99999/x", "localhost:abc/x", "a..b.com/x"}) {
      assertThatThrownBy(() -> ImageReference.parse(bad))
          .isInstanceOf(io.imagefleet.ImagefleetException.class)
          .hasMessageContaining("which is no host[:port]");
    }
  }

  @Test
  void aPinIsTheIndexChildOfThePlatformWithItsRegistryAndADigestCheckedBeforeUse(
      WireMockRuntimeInfo wm) {
    String child = "sha256:" + "2".repeat(64);
    String index =
        "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\","
            + "\"manifests\":[{\"digest\":\"sha256:../../evil\",\"platform\":"
            + "{\"os\":\"linux\",\"architecture\":\"s390x\"}},"
            + "{\"digest\":\"sha256:"
            + "3".repeat(64)
            + "\",\"platform\":{\"os\":\"unknown\",\"architecture\":\"unknown\"}},"
            + "{\"digest\":\""
            + child
            + "\",\"platform\":{\"os\":\"linux\",\"architecture\":\"arm64\","
            + "\"variant\":\"v8\"}}]}";
    wm.getWireMock()
        .register(get(urlPathEqualTo("/v2/org/bases/manifests/multi")).willReturn(okJson(index)));
    wm.getWireMock()
        .register(
            get(urlPathEqualTo("/v2/org/bases/manifests/gone"))
                .willReturn(aResponse().withStatus(404).withBody("{\"errors\":[]}")));
    String host = "localhost:" + wm.getHttpPort();
    RegistryClient client = client(Credentials.none());

    assertThat(client.pinned(host + "/org/bases:multi", Platform.parse("linux/arm64"), deadline()))
        .contains(host + "/org/bases@" + child);
    assertThat(client.pinned(host + "/org/bases:multi", Platform.LINUX_AMD64, deadline()))
        .isEmpty();
    assertThat(client.pinned(host + "/org/bases:gone", Platform.LINUX_AMD64, deadline())).isEmpty();
    // a child whose digest is no digest never becomes a reference
    assertThatThrownBy(
            () ->
                client.pinned(host + "/org/bases:multi", Platform.parse("linux/s390x"), deadline()))
        .isInstanceOf(PeerFailure.class)
        .hasMessageContaining("which is no digest");
  }

  @Test
  void everyPlatformsPinComesFromOneReadOfAnIndex(WireMockRuntimeInfo wm) {
    String amd = "sha256:" + "4".repeat(64);
    String arm = "sha256:" + "5".repeat(64);
    String index =
        "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\","
            + "\"manifests\":[{\"digest\":\""
            + amd
            + "\",\"platform\":{\"os\":\"linux\",\"architecture\":\"amd64\"}},"
            + "{\"digest\":\""
            + arm
            + "\",\"platform\":{\"os\":\"linux\",\"architecture\":\"arm64\"}}]}";
    wm.getWireMock()
        .register(get(urlPathEqualTo("/v2/org/bases/manifests/both")).willReturn(okJson(index)));
    String host = "localhost:" + wm.getHttpPort();
    Platform arm64 = Platform.parse("linux/arm64");
    Platform s390x = Platform.parse("linux/s390x");

    Map<Platform, String> pins =
        client(Credentials.none())
            .pins(
                host + "/org/bases:both", List.of(Platform.LINUX_AMD64, arm64, s390x), deadline());

    assertThat(pins)
        .containsExactly(
            Map.entry(Platform.LINUX_AMD64, host + "/org/bases@" + amd),
            Map.entry(arm64, host + "/org/bases@" + arm));
    wm.getWireMock().verifyThat(1, getRequestedFor(urlPathEqualTo("/v2/org/bases/manifests/both")));
  }

  private static Deadline deadline() {
    return Deadline.after(Duration.ofSeconds(30));
  }

  private static RegistryClient client(Credentials credentials) {
    return new RegistryClient(
        credentials, io.imagefleet.registry.InsecureRegistries.none(), 3, Duration.ofMillis(10));
  }

  private static ImageReference reference(WireMockRuntimeInfo wm) {
    // "localhost" makes the client speak plain HTTP to WireMock.
    return ImageReference.parse("localhost:" + wm.getHttpPort() + "/org/agent:abc1234-base");
  }

  /**
   * The manifest HEAD answers 401 with a bearer challenge whose realm is WireMock's /token, {@code
   * params} following it (e.g. {@code ,service="reg"}); a stub of higher priority answers once
   * authorized.
   */
  private static void challenge(WireMockRuntimeInfo wm, String params) {
    wm.getWireMock()
        .register(
            request("HEAD", urlPathEqualTo(MANIFEST))
                .atPriority(5)
                .willReturn(
                    aResponse()
                        .withStatus(401)
                        .withHeader(
                            "WWW-Authenticate",
                            "Bearer realm=\"" + wm.getHttpBaseUrl() + "/token\"" + params)));
  }
}
