package io.imagefleet.cli;

import io.imagefleet.actions.ActionsEnvironment;
import io.imagefleet.docker.BuildxCli;
import io.imagefleet.docker.DockerDaemon;
import io.imagefleet.docker.DockerJavaDaemon;
import io.imagefleet.fleet.BuilderContext;
import io.imagefleet.preflight.HelperImages;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import picocli.CommandLine.Option;

/** The options of the commands that measure and prune through Docker: the CLI and helper image. */
final class DockerOptions {
  @Option(
      names = "--helper-image",
      paramLabel = "IMAGE",
      description =
          "Image for helper containers (needs df and rm; default: imagefleet's own image, else the smallest local image).")
  String helperImage;

  @Option(
      names = "--docker-cli",
      paramLabel = "PATH",
      defaultValue = "docker",
      description = "The docker CLI, for buildx (default: ${DEFAULT-VALUE}).")
  String dockerCli;

  HelperImages helperImages(DockerDaemon daemon, ActionsEnvironment env) {
    return new HelperImages(daemon, Optional.ofNullable(helperImage), hostname(env));
  }

  private static String hostname(ActionsEnvironment env) {
    return env.variable("HOSTNAME")
        .or(
            () -> {
              try {
                return Optional.of(Files.readString(Path.of("/etc/hostname")).strip());
              } catch (IOException e) {
                return Optional.empty();
              }
            })
        .orElse("");
  }

  /** How build's builders reach Docker: this CLI, the daemon of DOCKER_HOST, the helper image. */
  BuilderContext.Docker access(ActionsEnvironment env) {
    return new BuilderContext.Docker(
        dockerCli,
        env.variables(),
        () -> DockerJavaDaemon.connect(env.variables()),
        Optional.ofNullable(helperImage),
        hostname(env));
  }

  BuildxCli buildx(ActionsEnvironment env) {
    return new BuildxCli(dockerCli, env.variables(), Duration.ofMinutes(30));
  }
}
