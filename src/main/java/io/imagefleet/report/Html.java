package io.imagefleet.report;

import java.util.Locale;
import java.util.regex.Pattern;

/** Text from data (ids, errors, log lines) made inert in HTML and SVG, and number formats. */
final class Html {
  private static final Pattern ANSI = Pattern.compile("\u001B\\[[0-9;?]*[ -/]*[@-~]");

  private Html() {}

  /**
   * The text as HTML character data or an attribute value: markup characters become entities,
   * terminal colour codes go, and other control characters (invalid in HTML) become U+FFFD.
   */
  static String escape(String value) {
    if (value == null) {
      return "";
    }
    String text = value.indexOf('\u001B') >= 0 ? ANSI.matcher(value).replaceAll("") : value;
    StringBuilder out = new StringBuilder(text.length() + 16);
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      switch (c) {
        case '&' -> out.append("&amp;");
        case '<' -> out.append("&lt;");
        case '>' -> out.append("&gt;");
        case '"' -> out.append("&quot;");
        case '\'' -> out.append("&#39;");
        case '\n', '\t' -> out.append(c);
        case '\r' -> out.append('\n');
        default -> out.append(c < 0x20 || c == 0x7f ? '\uFFFD' : c);
      }
    }
    return out.toString();
  }

  /** At most {@code max} characters, with an ellipsis when cut. */
  static String cut(String value, int max) {
    if (value == null) {
      return "";
    }
    return value.length() <= max ? value : value.substring(0, max - 1) + "…";
  }

  /** One decimal at most, without a trailing {@code .0}: lean SVG coordinates. */
  static String num(double value) {
    long tenths = Math.round(value * 10);
    return tenths % 10 == 0 ? Long.toString(tenths / 10) : Double.toString(tenths / 10.0);
  }

  static String seconds(double seconds) {
    return String.format(Locale.ROOT, "%.1f s", seconds);
  }

  static String clock(double seconds) {
    long s = Math.round(seconds);
    return String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, (s / 60) % 60, s % 60);
  }

  static String gib(long bytes) {
    return String.format(Locale.ROOT, "%.1f GiB", bytes / (double) (1L << 30));
  }

  /**
   * A round step (1, 2 or 5 times a power of ten) that cuts {@code span} into at most ~{@code n}.
   */
  static double niceStep(double span, int n) {
    double raw = Math.max(span, 1e-9) / n;
    double power = Math.pow(10, Math.floor(Math.log10(raw)));
    for (double m : new double[] {1, 2, 5, 10}) {
      if (m * power >= raw) {
        return m * power;
      }
    }
    return 10 * power;
  }
}
