package io.imagefleet.registry;

import io.imagefleet.PeerFailure;

/**
 * A registry call that failed: refused, answered with something imagefleet won't take (too big, a
 * wrong digest, a redirect it may not follow), ran out of time, waited past it for a rate limit, or
 * found nobody there. The message names the action, the object and the registry. Inside a build it
 * fails one image; outside one it ends the command (a peer failure).
 */
public final class RegistryFailure extends PeerFailure {
  private final boolean timedOut;
  private final boolean unreachable;
  private final boolean rateLimited;
  private final boolean startOver;

  private RegistryFailure(
      String message,
      boolean timedOut,
      boolean unreachable,
      boolean rateLimited,
      boolean startOver) {
    super(message);
    this.timedOut = timedOut;
    this.unreachable = unreachable;
    this.rateLimited = rateLimited;
    this.startOver = startOver;
  }

  public static RegistryFailure failed(String message) {
    return new RegistryFailure(message, false, false, false, false);
  }

  public static RegistryFailure timedOut(String message) {
    return new RegistryFailure(message, true, false, false, false);
  }

  /** Nobody answered (connection refused): the registry may be down. */
  public static RegistryFailure unreachable(String message) {
    return new RegistryFailure(message, false, true, false, false);
  }

  /** The registry's request budget would not allow the call before its deadline. */
  public static RegistryFailure rateLimited(String message) {
    return new RegistryFailure(message, false, false, true, false);
  }

  /**
   * A rate-limit answer to a call whose body can't be sent again from here (a stream): the registry
   * is paused for every caller, and the caller starts the transfer over; no fault of it.
   */
  public static RegistryFailure limitedMidTransfer(String message) {
    return new RegistryFailure(message, false, false, false, true);
  }

  /** Whether the caller should start its transfer over (see {@link #limitedMidTransfer}). */
  public boolean startOver() {
    return startOver;
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
