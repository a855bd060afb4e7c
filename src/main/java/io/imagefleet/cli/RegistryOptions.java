package io.imagefleet.cli;

import io.imagefleet.registry.InsecureRegistries;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** The options of the commands that call a registry's API themselves. */
final class RegistryOptions {
  @Option(
      names = "--insecure-registry",
      paramLabel = "HOST[:PORT]",
      description =
          "Talk plain HTTP to this registry (repeatable; HOST covers every port). Loopback"
              + " (localhost, 127.0.0.0/8, [::1]) always may; every other registry is HTTPS.")
  List<String> insecureRegistries = new ArrayList<>();

  /** The validated hosts; exit 2 naming --insecure-registry for a value that is no HOST[:PORT]. */
  InsecureRegistries insecureRegistries() {
    return InsecureRegistries.of(insecureRegistries);
  }
}
