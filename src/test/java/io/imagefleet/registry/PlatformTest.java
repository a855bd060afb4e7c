package io.imagefleet.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
}
