package io.imagefleet;

/**
 * What went wrong, for a person: a one-line message naming the input or object involved and what to
 * do about it. Each subclass says what happened ({@link InvalidInput}, {@link PeerFailure}, {@link
 * LocalFailure}, {@link Incomplete}, …); {@code cli} alone turns that into an exit code.
 */
public abstract class ImagefleetException extends RuntimeException {
  protected ImagefleetException(String message) {
    super(message);
  }

  protected ImagefleetException(String message, Throwable cause) {
    super(message, cause);
  }

  public static InvalidInput invalidInput(String message) {
    return new InvalidInput(message);
  }

  /** Rejects an option value below {@code minimum}, naming the option. */
  public static void requireAtLeast(String option, long value, long minimum) {
    if (value < minimum) {
      throw invalidInput(option + " must be at least " + minimum + ", got " + value);
    }
  }
}
