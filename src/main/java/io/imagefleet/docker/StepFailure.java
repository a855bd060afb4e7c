package io.imagefleet.docker;

import io.imagefleet.ImagefleetException;

/**
 * A Docker step that failed, ran out of time, or found no daemon to answer; the message is what the
 * daemon said. Inside a batch it fails one image (retried when worth it); outside one (preflight's
 * prune, a setup build) the command ends and {@code cli} decides the exit code.
 */
public final class StepFailure extends ImagefleetException {
  private final boolean timedOut;
  private final boolean unreachable;

  public StepFailure(String message, boolean timedOut) {
    this(message, timedOut, false);
  }

  private StepFailure(String message, boolean timedOut, boolean unreachable) {
    super(message);
    this.timedOut = timedOut;
    this.unreachable = unreachable;
  }

  /** The daemon did not answer (socket gone, connection refused or reset): maybe it died. */
  public static StepFailure unreachable(String message) {
    return new StepFailure(message, false, true);
  }

  public boolean timedOut() {
    return timedOut;
  }

  public boolean unreachable() {
    return unreachable;
  }
}
