package io.imagefleet.docker;

/** A build or push that failed or ran out of time; the message is what the daemon said. */
public final class StepFailure extends RuntimeException {
  private final boolean timedOut;

  public StepFailure(String message, boolean timedOut) {
    super(message);
    this.timedOut = timedOut;
  }

  public boolean timedOut() {
    return timedOut;
  }
}
