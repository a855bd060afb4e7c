package io.imagefleet;

/** Preflight's verdict: Docker's data root has less free disk than asked, even after pruning. */
public final class NotEnoughDisk extends ImagefleetException {
  public NotEnoughDisk(String message) {
    super(message);
  }
}
