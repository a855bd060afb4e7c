package io.imagefleet.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.imagefleet.ImagefleetException;
import io.imagefleet.InvalidInput;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class InsecureRegistriesTest {
  private static final InsecureRegistries NAMED =
      InsecureRegistries.of(List.of("Registry.LAN", "build.lan:5000", "[fd00::5]:443"));

  @ParameterizedTest
  @CsvSource({
    "127.attacker.example, https",
    "127.attacker.example:5000, https",
    "127.0.0.1.nip.io, https",
    "localhost.example, https",
    "127.0.0.256, https",
    "ghcr.io, https",
    "build.lan:5001, https",
    "127.0.0.5, http",
    "127.0.0.1:5000, http",
    "'[::1]', http",
    "'[::1]:5000', http",
    "localhost:5000, http",
    "localhost, http",
    "registry.lan, http",
    "registry.lan:8080, http",
    "build.lan:5000, http",
    "'[fd00::5]:443', http"
  })
  void plainHttpOnlyForLoopbackAndNamedHosts(String registry, String scheme) {
    assertThat(NAMED.scheme(registry)).isEqualTo(scheme);
  }

  @ParameterizedTest
  @CsvSource({"registry.lan, https", "build.lan:5000, https", "127.0.0.5, http"})
  void withNoNamedHostsOnlyLoopbackIsPlainHttp(String registry, String scheme) {
    assertThat(InsecureRegistries.none().scheme(registry)).isEqualTo(scheme);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"", "http://registry.lan", "registry.lan/path", "a b", "reg\n::x", "h:port"})
  void aValueThatIsNoHostPortIsInvalidInput(String value) {
    assertThatThrownBy(() -> InsecureRegistries.of(List.of(value)))
        .isInstanceOf(ImagefleetException.class)
        .hasMessage(
            "--insecure-registry must be HOST or HOST:PORT such as registry.lan:5000, got "
                + io.imagefleet.InputText.quote(value))
        .isInstanceOf(InvalidInput.class);
  }
}
