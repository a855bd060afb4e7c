package io.imagefleet.registry;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.put;
import static com.github.tomakehurst.wiremock.client.WireMock.putRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.junit5.WireMockRuntimeInfo;
import com.github.tomakehurst.wiremock.junit5.WireMockTest;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

@WireMockTest
class BlobCopierTest {
  @Test
  void aRateLimitOnAnUploadIsWaitedOutNotCountedAsATry(WireMockRuntimeInfo wm) {
    // given a registry that answers the upload's PUT with 429 four times, then takes it
    String host = "localhost:" + wm.getHttpPort();
    Repository target = new Repository(host, host, "ns/agent");
    byte[] bytes = "layer".getBytes(StandardCharsets.UTF_8);
    String digest = Digests.sha256(bytes);
    wm.getWireMock()
        .register(
            post(urlPathEqualTo("/v2/ns/agent/blobs/uploads/"))
                .willReturn(aResponse().withStatus(202).withHeader("Location", "/upload/1")));
    String state = Scenario.STARTED;
    for (int i = 1; i <= 4; i++) {
      wm.getWireMock()
          .register(
              put(urlPathMatching("/upload/1"))
                  .inScenario("limit")
                  .whenScenarioStateIs(state)
                  .willReturn(aResponse().withStatus(429).withHeader("Retry-After", "0"))
                  .willSetStateTo("after " + i));
      state = "after " + i;
    }
    wm.getWireMock()
        .register(
            put(urlPathMatching("/upload/1"))
                .inScenario("limit")
                .whenScenarioStateIs(state)
                .willReturn(aResponse().withStatus(201)));
    RegistryTransport transport =
        new RegistryTransport(
            Credentials.none(), InsecureRegistries.none(), 2, Duration.ofMillis(10));
    BlobCopier copier = new BlobCopier(new RegistrySession(transport), 2, Duration.ofMillis(10));

    // when a blob is uploaded with two tries allowed
    boolean sent =
        copier.upload(
            target,
            digest,
            bytes.length,
            () -> HttpRequest.BodyPublishers.ofByteArray(bytes),
            false,
            Deadline.after(Duration.ofSeconds(30)));

    // then it went up: the 429s were waited out, not spent as tries
    assertThat(sent).isTrue();
    wm.getWireMock().verifyThat(5, putRequestedFor(urlPathMatching("/upload/1")));
    wm.getWireMock().verifyThat(5, postRequestedFor(urlPathEqualTo("/v2/ns/agent/blobs/uploads/")));
    assertThat(copier.stats().uploaded()).isEqualTo(1);
  }
}
