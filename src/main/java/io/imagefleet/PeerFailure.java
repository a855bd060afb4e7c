package io.imagefleet;

/**
 * A peer imagefleet talks to (the Docker daemon, a registry, GitHub, Hugging Face) did not answer,
 * refused the credentials, gave up on a rate limit, or answered with something imagefleet can't
 * use. Rerunning once the peer is back is the fix.
 */
public class PeerFailure extends ImagefleetException {
  public PeerFailure(String message) {
    super(message);
  }

  public PeerFailure(String message, Throwable cause) {
    super(message, cause);
  }
}
