package io.imagefleet.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.imagefleet.ImagefleetException;
import io.imagefleet.docker.DockerJavaDaemon;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The local test rig that .ci/run starts: the real daemon (Debian's 20.10, BuildKit through
 * Debian's CLI) and tiny base images made from busybox-static, since nothing can be pulled here.
 */
public final class TestDocker {
  /** Debian's client, which speaks to Debian's engine; builds need --network=none here. */
  public static final String CLI = "/usr/bin/docker";

  public static final String BUSYBOX = "/bin/busybox";

  private TestDocker() {}

  /** Connects to the daemon of the environment, failing under CI when there is none. */
  public static DockerJavaDaemon daemon() {
    return daemon(System.getenv());
  }

  public static DockerJavaDaemon daemon(Map<String, String> env) {
    try {
      return DockerJavaDaemon.connect(env);
    } catch (ImagefleetException e) {
      Requirements.require(false, "a Docker daemon (" + e.getMessage() + ")");
      throw e;
    }
  }

  /** Builds {@code tag} from scratch + busybox, with {@code marker} as a file to make it unique. */
  public static void buildBusyboxImage(String tag, String marker, Map<String, String> env)
      throws Exception {
    Requirements.require(Files.isExecutable(Path.of(BUSYBOX)), BUSYBOX + " (busybox-static)");
    Path context = Files.createTempDirectory("imagefleet-busybox-");
    try {
      Files.copy(Path.of(BUSYBOX), context.resolve("busybox"));
      Files.writeString(context.resolve("marker"), marker);
      Files.writeString(
          context.resolve("Dockerfile"),
          "FROM scratch\nCOPY busybox /bin/busybox\nRUN [\"/bin/busybox\", \"--install\", \"-s\", \"/bin\"]\n"
              + "COPY marker /marker\n");
      docker(env, "build", "--network=none", "-q", "-t", tag, context.toString());
    } finally {
      io.imagefleet.SafeFiles.deleteTree(context);
    }
  }

  /**
   * Runs the Docker CLI with BuildKit on and returns its output; fails the test on non-zero exit.
   */
  public static String docker(Map<String, String> env, String... args)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(CLI));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    Map<String, String> environment = new HashMap<>(builder.environment());
    environment.putAll(env);
    environment.put("DOCKER_BUILDKIT", "1");
    builder.environment().putAll(environment);
    Process process = builder.start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(300, TimeUnit.SECONDS))
        .as("docker %s timed out", String.join(" ", args))
        .isTrue();
    assertThat(process.exitValue()).as("docker %s: %s", String.join(" ", args), output).isZero();
    return output;
  }
}
