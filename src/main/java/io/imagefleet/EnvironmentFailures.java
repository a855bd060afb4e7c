package io.imagefleet;

import java.io.IOException;
import java.util.Optional;

/**
 * The last line of defence at the top of the CLI: a failure that came from the environment (the
 * Docker daemon, a registry, GitHub, the network) is exit 4 with what failed, never "internal
 * error". The commands map their own failures first; this catches what slipped through.
 */
public final class EnvironmentFailures {
  private static final String[] ENVIRONMENT_TYPES = {
    "com.github.dockerjava.api.exception.DockerException",
    "com.github.dockerjava.api.exception.DockerClientException",
    "org.kohsuke.github.GHException",
    "org.kohsuke.github.HttpException",
  };

  private EnvironmentFailures() {}

  public static Optional<ImagefleetException> of(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof IOException || isEnvironmentType(t.getClass())) {
        return Optional.of(
            new ImagefleetException(
                ExitCode.UNREACHABLE,
                "the environment failed ("
                    + t.getClass().getSimpleName()
                    + ": "
                    + firstLine(t.getMessage())
                    + "); check that Docker, the registry and the network are up, then rerun"
                    + " (build: with --resume)",
                failure));
      }
    }
    return Optional.empty();
  }

  private static boolean isEnvironmentType(Class<?> type) {
    for (Class<?> c = type; c != null; c = c.getSuperclass()) {
      for (String name : ENVIRONMENT_TYPES) {
        if (c.getName().equals(name)) {
          return true;
        }
      }
    }
    return false;
  }

  private static String firstLine(String message) {
    return message == null ? "" : message.lines().findFirst().orElse("").strip();
  }
}
