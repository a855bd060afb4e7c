package io.imagefleet;

/**
 * Bad input: an option, file, template or dataset imagefleet can't use; the message says the fix.
 */
public class InvalidInput extends ImagefleetException {
  public InvalidInput(String message) {
    super(message);
  }
}
