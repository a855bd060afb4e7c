package io.imagefleet.cli;

import io.imagefleet.ImagefleetException;
import io.imagefleet.Incomplete;
import io.imagefleet.InvalidInput;
import io.imagefleet.LocalFailure;
import io.imagefleet.NotEnoughDisk;
import io.imagefleet.PeerFailure;
import io.imagefleet.docker.DockerJavaDaemon;
import io.imagefleet.docker.StepFailure;
import io.imagefleet.github.GitHubRestClient;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.util.Optional;
import javax.net.ssl.SSLException;
import picocli.CommandLine.IExitCodeExceptionMapper;

/**
 * The one place a failure becomes an exit code. Rooms throw what happened; anything else is a
 * programming error (exit 1), except a failure of a peer's library or of the network that no room
 * typed, which {@link #stray} takes for the environment's.
 */
final class ExitCodes implements IExitCodeExceptionMapper {
  @Override
  public int getExitCode(Throwable failure) {
    return of(failure).code();
  }

  static ExitCode of(Throwable failure) {
    if (failure instanceof InvalidInput) {
      return ExitCode.INVALID_INPUT;
    }
    if (failure instanceof NotEnoughDisk) {
      return ExitCode.PREFLIGHT_THRESHOLD;
    }
    // A Docker step outside any image (preflight's prune, a setup build): the daemon failed it.
    if (failure instanceof PeerFailure || failure instanceof StepFailure) {
      return ExitCode.UNREACHABLE;
    }
    if (failure instanceof Incomplete) {
      return ExitCode.BUILD_PARTIAL;
    }
    if (failure instanceof LocalFailure) {
      return ExitCode.INTERNAL;
    }
    return ExitCode.INTERNAL;
  }

  /**
   * A failure no room typed that Docker's or GitHub's library threw, or the network (a refused or
   * reset connection, an unknown host, a timeout, TLS): the environment failed, exit 4. A local I/O
   * error is not one of these.
   */
  static Optional<ImagefleetException> stray(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (isPeers(t)) {
        return Optional.of(
            new PeerFailure(
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

  private static boolean isPeers(Throwable t) {
    return DockerJavaDaemon.threwThis(t)
        || GitHubRestClient.threwThis(t)
        || t instanceof SocketException
        || t instanceof SocketTimeoutException
        || t instanceof UnknownHostException
        || t instanceof UnresolvedAddressException
        || t instanceof HttpTimeoutException
        || t instanceof SSLException;
  }

  private static String firstLine(String message) {
    return message == null ? "" : message.lines().findFirst().orElse("").strip();
  }
}
