package io.imagefleet;

/**
 * The one failure type of imagefleet: a one-line message for a person, and the exit code it maps
 * to. Messages name the input or object involved and what to do about it.
 */
public class ImagefleetException extends RuntimeException {
  private final ExitCode exitCode;

  public ImagefleetException(ExitCode exitCode, String message) {
    super(message);
    this.exitCode = exitCode;
  }

  public ImagefleetException(ExitCode exitCode, String message, Throwable cause) {
    super(message, cause);
    this.exitCode = exitCode;
  }

  public static ImagefleetException invalidInput(String message) {
    return new ImagefleetException(ExitCode.INVALID_INPUT, message);
  }

  /** Rejects an option value below {@code minimum}, naming the option. */
  public static void requireAtLeast(String option, long value, long minimum) {
    if (value < minimum) {
      throw invalidInput(option + " must be at least " + minimum + ", got " + value);
    }
  }

  public ExitCode exitCode() {
    return exitCode;
  }
}
