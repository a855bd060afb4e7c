package io.imagefleet.testing;

import static org.junit.jupiter.api.Assertions.fail;

import org.junit.jupiter.api.Assumptions;

/**
 * What an integration test needs from the machine. Under {@code CI=true} a missing piece fails the
 * test; elsewhere it skips it, so a laptop without Docker can still run the rest.
 */
public final class Requirements {
  private Requirements() {}

  public static void require(boolean present, String what) {
    if (present) {
      return;
    }
    String message = what + " is missing; bash .ci/run installs and starts it";
    if ("true".equals(System.getenv("CI"))) {
      fail(message);
    }
    Assumptions.abort(message);
  }
}
