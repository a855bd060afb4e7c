package io.imagefleet.docker;

import io.imagefleet.ExitCode;
import io.imagefleet.ImagefleetException;

/**
 * A Docker step that failed or ran out of time; the message is what the daemon said. Inside a batch
 * it fails one image; outside one (preflight) it ends the command with exit code 4.
 */
public final class StepFailure extends ImagefleetException {
  private final boolean timedOut;
  private final boolean unreachable;

  public StepFailure(String message, boolean timedOut) {
    this(message, timedOut, false);
  }

  private StepFailure(String message, boolean timedOut, boolean unreachable) {
    super(ExitCode.UNREACHABLE, message);
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
