package io.imagefleet.registry;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.binaryEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.put;
import static com.github.tomakehurst.wiremock.client.WireMock.putRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.stubFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.verify;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.junit5.WireMockRuntimeInfo;
import com.github.tomakehurst.wiremock.junit5.WireMockTest;
import io.imagefleet.ImagefleetException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

@WireMockTest
class ManifestCopyTest {
  private static final String TYPE = "application/vnd.oci.image.manifest.v1+json";
  private static final byte[] BYTES = "{\"schemaVersion\":2}".getBytes(StandardCharsets.UTF_8);
  private static final String DIGEST = Digests.sha256(BYTES);

  @Test
  void putsTheExactBytesAndTypeUnderTheNewTag(WireMockRuntimeInfo wm) {
    stubFor(
        get(urlEqualTo("/v2/ns/agent/manifests/" + DIGEST))
            .willReturn(
                aResponse().withStatus(200).withHeader("Content-Type", TYPE).withBody(BYTES)));
    stubFor(
        put(urlEqualTo("/v2/ns/agent/manifests/new"))
            .willReturn(aResponse().withStatus(201).withHeader("Docker-Content-Digest", DIGEST)));

    assertThat(copy().copy(DIGEST, target(wm))).contains(DIGEST);
    verify(
        putRequestedFor(urlEqualTo("/v2/ns/agent/manifests/new"))
            .withHeader("Content-Type", equalTo(TYPE))
            .withRequestBody(binaryEqualTo(BYTES)));
  }

  @Test
  void aDigestTheRepositoryLostIsEmptyAndAnotherDigestServedIsAnError(WireMockRuntimeInfo wm) {
    stubFor(
        get(urlEqualTo("/v2/ns/agent/manifests/" + DIGEST))
            .willReturn(aResponse().withStatus(404)));

    assertThat(copy().copy(DIGEST, target(wm))).isEmpty();

    stubFor(
        get(urlEqualTo("/v2/ns/agent/manifests/" + DIGEST))
            .willReturn(
                aResponse().withStatus(200).withHeader("Content-Type", TYPE).withBody(BYTES)));
    stubFor(
        put(urlEqualTo("/v2/ns/agent/manifests/new"))
            .willReturn(
                aResponse()
                    .withStatus(201)
                    .withHeader(
                        "Docker-Content-Digest",
                        "sha256:9999999999999999999999999999999999999999999999999999999999999999")));

    assertThatThrownBy(() -> copy().copy(DIGEST, target(wm)))
        .isInstanceOf(ImagefleetException.class)
        .hasMessage(
            "put manifest "
                + DIGEST
                + " as "
                + target(wm)
                + " failed: the registry answered digest 'sha256:"
                + "9".repeat(64)
                + "'");
  }

  @Test
  void bytesThatAreNotTheDigestAreNeverPutUnderTheTag(WireMockRuntimeInfo wm) {
    String other = "sha256:" + "d".repeat(64);
    stubFor(
        get(urlEqualTo("/v2/ns/agent/manifests/" + other))
            .willReturn(
                aResponse().withStatus(200).withHeader("Content-Type", TYPE).withBody(BYTES)));

    assertThatThrownBy(() -> copy().copy(other, target(wm)))
        .isInstanceOf(RegistryFailure.class)
        .hasMessage(
            "fetch manifest "
                + target(wm).repositoryName()
                + "@"
                + other
                + " failed: the registry sent bytes whose digest is "
                + DIGEST);
    verify(0, putRequestedFor(urlEqualTo("/v2/ns/agent/manifests/new")));
  }

  @Test
  void aHistoryDigestOfAnotherFormNeverReachesAUrl(WireMockRuntimeInfo wm) {
    assertThatThrownBy(() -> copy().copy("sha256:../../evil", target(wm)))
        .isInstanceOf(RegistryFailure.class)
        .hasMessage("the --history manifest named 'sha256:../../evil', which is no digest");
    verify(0, anyRequestedFor(anyUrl()));
  }

  private static ManifestCopy copy() {
    return new ManifestCopy(
        new RegistryClient(Credentials.none(), InsecureRegistries.none(), 1, Duration.ofMillis(1)));
  }

  private static ImageReference target(WireMockRuntimeInfo wm) {
    return ImageReference.parse("127.0.0.1:" + wm.getHttpPort() + "/ns/agent:new");
  }
}
