package io.imagefleet;

/**
 * The work ran but not all of it is done: images failed past what was allowed, a build stopped
 * early, a mirror left bases out, or a dispatched run did not succeed.
 */
public final class Incomplete extends ImagefleetException {
  public Incomplete(String message) {
    super(message);
  }
}
