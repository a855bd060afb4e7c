package io.imagefleet.cli;

import io.imagefleet.registry.Credentials;
import io.imagefleet.registry.InsecureRegistries;
import io.imagefleet.registry.RegistryBudgets;
import io.imagefleet.registry.RegistryRate;
import io.imagefleet.registry.RegistryTransport;
import io.imagefleet.registry.RegistryUsage;
import java.io.PrintWriter;
import java.time.Duration;
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

  @Option(
      names = "--registry-rate",
      paramLabel = "HOST[:PORT]=N/min",
      description =
          "Requests a minute this registry may get from the whole run, every worker together"
              + " (repeatable; 0/min = unlimited). Defaults: ghcr.io=1500/min; docker.io paces"
              + " manifest GETs by the ratelimit headers Docker Hub sends; others unlimited.")
  List<String> registryRates = new ArrayList<>();

  /** The validated hosts; exit 2 naming --insecure-registry for a value that is no HOST[:PORT]. */
  InsecureRegistries insecureRegistries() {
    return InsecureRegistries.of(insecureRegistries);
  }

  /**
   * The process's budgets with the {@code --registry-rate} values set; exit 2 naming the option for
   * a value that is no {@code HOST[:PORT]=N/min}.
   */
  RegistryBudgets budgets(RegistryBudgets shared) {
    return shared.configure(registryRates.stream().map(RegistryRate::parse).toList());
  }

  /** The command's one transport: the options validated, the process's budgets shared. */
  RegistryTransport transport(
      Credentials credentials, RegistryBudgets shared, int attempts, Duration backoff) {
    InsecureRegistries insecure = insecureRegistries();
    return new RegistryTransport(credentials, insecure, budgets(shared), attempts, backoff);
  }

  /** One line per registry the command used: requests, rate-limit answers, seconds waited. */
  static void printUsage(PrintWriter err, String command, List<RegistryUsage> used) {
    used.forEach(u -> err.println("imagefleet " + command + ": registry " + u.line()));
    err.flush();
  }
}
