package io.imagefleet.cli;

import io.imagefleet.ImagefleetException;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Durations as people write them: {@code 90s}, {@code 33m}, {@code 5h30m}, or plain seconds. */
final class Durations {
  private static final Pattern PART = Pattern.compile("(\\d+)([hms])");

  private Durations() {}

  static Duration parse(String option, String text) {
    String value = text.strip().toLowerCase(java.util.Locale.ROOT);
    if (value.matches("\\d+")) {
      return positive(option, text, Duration.ofSeconds(Long.parseLong(value)));
    }
    if (!value.matches("(\\d+[hms])+")) {
      throw ImagefleetException.invalidInput(
          option + " must be a duration such as 90s, 33m or 5h30m, got '" + text + "'");
    }
    Duration total = Duration.ZERO;
    Matcher m = PART.matcher(value);
    while (m.find()) {
      long n = Long.parseLong(m.group(1));
      total =
          total.plus(
              switch (m.group(2)) {
                case "h" -> Duration.ofHours(n);
                case "m" -> Duration.ofMinutes(n);
                default -> Duration.ofSeconds(n);
              });
    }
    return positive(option, text, total);
  }

  private static Duration positive(String option, String text, Duration duration) {
    if (duration.isZero()) {
      throw ImagefleetException.invalidInput(
          option + " must be longer than zero, got '" + text + "'");
    }
    return duration;
  }
}
