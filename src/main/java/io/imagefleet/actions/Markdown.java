package io.imagefleet.actions;

/** Text from data (ids, errors, option values) placed in a step summary or a GitHub comment. */
public final class Markdown {
  private Markdown() {}

  /**
   * The text as inert Markdown, fit for a table cell: characters that end a cell, a row or a code
   * span, open HTML or a link become HTML entities, and line breaks become {@code <br>}. An
   * {@code @} where GitHub would read a mention (start, or after a non-word character) gets a
   * zero-width space after it, so an id like {@code @org/team} in a PR comment notifies no one.
   */
  public static String text(String value) {
    if (value == null) {
      return "";
    }
    StringBuilder text = new StringBuilder(value.length() + 16);
    String lines = value.strip().replace("\r\n", "\n").replace('\r', '\n');
    char previous = ' ';
    for (char c : lines.toCharArray()) {
      switch (c) {
        case '@' ->
            text.append(Character.isLetterOrDigit(previous) || previous == '_' ? "@" : "@\u200B");
        case '&' -> text.append("&amp;");
        case '<' -> text.append("&lt;");
        case '>' -> text.append("&gt;");
        case '|' -> text.append("&#124;");
        case '`' -> text.append("&#96;");
        case '[' -> text.append("&#91;");
        case ']' -> text.append("&#93;");
        case '\n' -> text.append("<br>");
        default -> text.append(c);
      }
      previous = c;
    }
    return text.toString();
  }
}
