package io.imagefleet.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.imagefleet.InvalidInput;
import org.junit.jupiter.api.Test;

class PlatformTest {
  @Test
  void aListIsCommaSeparatedAndOneValueIsAListOfOne() {
    assertThat(Platform.parseList("linux/amd64"))
        .containsExactly(new Platform("linux", "amd64", ""));
    assertThat(Platform.parseList("linux/amd64,linux/arm64/v8"))
        .containsExactly(new Platform("linux", "amd64", ""), new Platform("linux", "arm64", "v8"));
  }

  @Test
  void aPlatformNamedTwiceOrAnEmptyEntryIsBadInput() {
    assertThatThrownBy(() -> Platform.parseList("linux/arm64,linux/arm64/v8"))
        .isInstanceOf(InvalidInput.class)
        .hasMessage(
            "--platform linux/arm64,linux/arm64/v8 names linux/arm64/v8 twice; name each platform"
                + " once");
    assertThatThrownBy(() -> Platform.parseList("linux/amd64,"))
        .hasMessage(
            "--platform linux/amd64, has an empty entry; list platforms as"
                + " linux/amd64,linux/arm64");
  }

  @Test
  void anIndexChildIsPickedByPlatformArm64BeingV8AndAnAttestationIsNoPlatform() throws Exception {
    JsonNode index =
        new ObjectMapper()
            .readTree(
                "{\"manifests\":["
                    + "{\"digest\":\"sha256:aa\",\"platform\":{\"os\":\"unknown\","
                    + "\"architecture\":\"unknown\"}},"
                    + "{\"digest\":\"sha256:bb\",\"platform\":{\"os\":\"linux\","
                    + "\"architecture\":\"arm64\",\"variant\":\"v8\"}},"
                    + "{\"digest\":\"sha256:cc\",\"platform\":{\"os\":\"linux\","
                    + "\"architecture\":\"amd64\"}}]}");

    assertThat(Platform.parse("linux/arm64").childOf(index))
        .map(c -> c.path("digest").asText())
        .contains("sha256:bb");
    assertThat(Platform.LINUX_AMD64.childOf(index))
        .map(c -> c.path("digest").asText())
        .contains("sha256:cc");
    assertThat(Platform.parse("linux/s390x").childOf(index)).isEmpty();
    assertThat(Platform.parse("linux/arm/v7").childOf(index)).isEmpty();
  }
}
