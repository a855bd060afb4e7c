package io.imagefleet;

/**
 * This machine failed imagefleet: a file or directory it must read or write (a cache, a step file,
 * a build context) could not be, or the process was interrupted. No peer is involved.
 */
public final class LocalFailure extends ImagefleetException {
  public LocalFailure(String message) {
    super(message);
  }

  public LocalFailure(String message, Throwable cause) {
    super(message, cause);
  }
}
