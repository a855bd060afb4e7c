package io.imagefleet.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.imagefleet.registry.InsecureRegistries;
import java.util.Set;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

class RegistryOptionsTest {
  @Command(name = "probe")
  static final class Probe {
    @Mixin RegistryOptions registry = new RegistryOptions();
  }

  @Test
  void theOptionRepeatsAndNamesHostsForPlainHttp() {
    Probe probe = new Probe();
    new CommandLine(probe)
        .parseArgs("--insecure-registry", "Build.LAN:5000", "--insecure-registry=cache.lan");

    InsecureRegistries insecure = probe.registry.insecureRegistries();

    assertThat(insecure).isEqualTo(new InsecureRegistries(Set.of("build.lan:5000", "cache.lan")));
    assertThat(insecure.scheme("build.lan:5000")).isEqualTo("http");
    assertThat(insecure.scheme("cache.lan:443")).isEqualTo("http");
    assertThat(insecure.scheme("127.attacker.example")).isEqualTo("https");
  }

  @Test
  void noneNamedMeansLoopbackOnly() {
    Probe probe = new Probe();
    new CommandLine(probe).parseArgs();

    assertThat(probe.registry.insecureRegistries()).isEqualTo(InsecureRegistries.none());
  }

  @Test
  void aBadValueIsInvalidInputNamingTheOption() {
    Probe probe = new Probe();
    new CommandLine(probe).parseArgs("--insecure-registry", "http://x");

    assertThatThrownBy(() -> probe.registry.insecureRegistries())
        .hasMessage(
            "--insecure-registry must be HOST or HOST:PORT such as registry.lan:5000, got"
                + " 'http://x'");
  }
}
