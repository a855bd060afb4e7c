package io.imagefleet.registry;

import io.imagefleet.ExitCode;
import io.imagefleet.ImagefleetException;

/**
 * A registry call that failed: refused, answered with something imagefleet won't take (too big, a
 * wrong digest, a redirect it may not follow), ran out of time, waited past it for a rate limit, or
 * found nobody there. The message names the action, the object and the registry. Inside a build it
 * fails one image; outside one it ends the command with exit code 4.
 */
public final class RegistryFailure extends ImagefleetException {
  private final boolean timedOut;
  private final boolean unreachable;
  private final boolean rateLimited;

  private RegistryFailure(
      String message, boolean timedOut, boolean unreachable, boolean rateLimited) {
    super(ExitCode.UNREACHABLE, message);
    this.timedOut = timedOut;
    this.unreachable = unreachable;
    this.rateLimited = rateLimited;
  }

  public static RegistryFailure failed(String message) {
    return new RegistryFailure(message, false, false, false);
  }

  public static RegistryFailure timedOut(String message) {
    return new RegistryFailure(message, true, false, false);
  }

  /** Nobody answered (connection refused): the registry may be down. */
  public static RegistryFailure unreachable(String message) {
    return new RegistryFailure(message, false, true, false);
  }

  /** The registry's request budget would not allow the call before its deadline. */
  public static RegistryFailure rateLimited(String message) {
    return new RegistryFailure(message, false, false, true);
  }

  public boolean timedOut() {
    return timedOut;
  }

  public boolean unreachable() {
    return unreachable;
  }

  public boolean rateLimited() {
    return rateLimited;
  }
}
