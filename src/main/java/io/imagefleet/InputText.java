package io.imagefleet;

/**
 * Text from options and inputs that ends up in messages, files or YAML: it must stay on one line,
 * so no value can start a workflow command or a YAML key of its own.
 */
public final class InputText {
  private InputText() {}

  /**
   * Rejects control characters, Unicode line and paragraph separators (YAML 1.1 reads U+0085,
   * U+2028 and U+2029 as line breaks), invisible format characters and lone surrogates.
   */
  public static void requireOneLine(String option, String value) {
    if (!isOneLine(value)) {
      throw ImagefleetException.invalidInput(
          option
              + " must be one line of printable text (no line breaks, tabs or control characters)");
    }
  }

  public static boolean isOneLine(String value) {
    return value.codePoints().allMatch(InputText::printable);
  }

  /** The value in single quotes, with anything unprintable escaped, for a one-line message. */
  public static String quote(String value) {
    StringBuilder out = new StringBuilder("'");
    value
        .codePoints()
        .forEach(
            c -> {
              if (c == '\n') {
                out.append("\\n");
              } else if (c == '\r') {
                out.append("\\r");
              } else if (printable(c)) {
                out.appendCodePoint(c);
              } else {
                out.append(String.format("\\u%04X", c));
              }
            });
    return out.append('\'').toString();
  }

  private static boolean printable(int c) {
    return switch (Character.getType(c)) {
      case Character.CONTROL,
          Character.FORMAT,
          Character.LINE_SEPARATOR,
          Character.PARAGRAPH_SEPARATOR,
          Character.SURROGATE ->
          false;
      default -> true;
    };
  }
}
