package io.imagefleet.fleet;

import io.imagefleet.docker.BuildxCli;
import io.imagefleet.docker.CacheMode;
import io.imagefleet.docker.DockerDaemon;
import io.imagefleet.preflight.DiskProbe;
import io.imagefleet.preflight.HelperImages;
import io.imagefleet.preflight.ProbeMode;
import io.imagefleet.registry.Credentials;
import io.imagefleet.registry.Platform;
import io.imagefleet.registry.RegistryClient;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.function.Supplier;

/**
 * What a builder is given to decide whether it can take the run and to prepare it: the run's
 * settings and options, its one registry client, and the Docker daemon, connected the first time a
 * builder asks for it and closed when the run ends.
 */
public final class BuilderContext implements AutoCloseable {
  /**
   * How to reach Docker: the CLI (buildx), the environment it runs in, how to connect to the
   * daemon, and the helper image preflight's disk probe runs.
   */
  public record Docker(
      String cli,
      Map<String, String> environment,
      Supplier<? extends DockerDaemon> connect,
      Optional<String> helperImage,
      String hostname) {
    public Docker {
      environment = Map.copyOf(environment);
    }

    BuildxCli buildx() {
      return buildx(Duration.ofMinutes(30));
    }

    /** The buildx CLI with each call cut off after {@code timeout}. */
    BuildxCli buildx(Duration timeout) {
      return new BuildxCli(cli, environment, timeout);
    }
  }

  /**
   * The options only some builders read; {@code platformBase} names a platform's base of a planned
   * base ({@link BaseImageRule#platformBase}: {@code {arch}} filled in, mirrored); {@code
   * buildxBuilder} is {@code --buildx-builder}: every build on that buildx builder instead of the
   * daemon.
   */
  public record Options(
      Platform platform,
      Attestations attestations,
      CacheMode cacheMode,
      Path cacheDir,
      BiFunction<String, Platform, String> platformBase,
      Optional<String> buildxBuilder) {}

  private final BuildSettings settings;
  private final String sdkCommit;
  private final RegistryClient registry;
  private final Credentials credentials;
  private final Docker docker;
  private final Options options;
  private final PrintWriter err;
  private DockerDaemon daemon;
  private Optional<NamedBuilder> named;

  public BuilderContext(
      BuildSettings settings,
      String sdkCommit,
      RegistryClient registry,
      Credentials credentials,
      Docker docker,
      Options options,
      PrintWriter err) {
    this.settings = settings;
    this.sdkCommit = sdkCommit;
    this.registry = registry;
    this.credentials = credentials;
    this.docker = docker;
    this.options = options;
    this.err = err;
  }

  public BuildSettings settings() {
    return settings;
  }

  public String sdkCommit() {
    return sdkCommit;
  }

  public RegistryClient registry() {
    return registry;
  }

  public Credentials credentials() {
    return credentials;
  }

  public Docker docker() {
    return docker;
  }

  public Options options() {
    return options;
  }

  public PrintWriter err() {
    return err;
  }

  /**
   * The builder {@code --buildx-builder} named, looked up and booted the first time it is asked for
   * (exit 2 when there is no such builder, 4 when it doesn't answer), with a line saying where it
   * builds; empty without the option.
   */
  public synchronized Optional<NamedBuilder> namedBuilder() {
    if (named == null) {
      named =
          options
              .buildxBuilder()
              .map(
                  name ->
                      NamedBuilder.check(
                          docker.buildx(NamedBuilder.LOOKUP_TIMEOUT),
                          name,
                          Optional.ofNullable(docker.environment().get("DOCKER_HOST")),
                          options.cacheMode(),
                          settings.platforms()));
      named.ifPresent(n -> err.println(n.says()));
    }
    return named;
  }

  /** The daemon, connected on first use (exit 4 when it doesn't answer); closed with the run. */
  public synchronized DockerDaemon daemon() {
    if (daemon == null) {
      daemon = docker.connect().get();
    }
    return daemon;
  }

  /**
   * The tools around {@code builder} on the daemon: the disk probe and the pruner of the builder
   * the images are built on (the running disk floor), and the daemon's ping as health.
   */
  BuildTools onDaemon(ImageBuilder builder) {
    DockerDaemon connected = daemon();
    DiskProbe probe =
        new DiskProbe(
            connected,
            ProbeMode.AUTO,
            new HelperImages(connected, docker.helperImage(), docker.hostname()));
    return BuildTools.on(connected, builder, probe, docker.buildx());
  }

  @Override
  public synchronized void close() {
    if (daemon != null) {
      try {
        daemon.close();
      } catch (Exception e) {
        // The run is over; a daemon that fails to close has nothing left to lose.
      }
      daemon = null;
    }
  }
}
