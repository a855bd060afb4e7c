package io.imagefleet.cli;

import io.imagefleet.ImagefleetException;
import io.imagefleet.InputText;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Durations as people write them: {@code 90s}, {@code 33m}, {@code 5h30m}, or plain seconds. */
final class Durations {
  private static final Pattern PART = Pattern.compile("(\\d+)([hms])");

  /** Far beyond any job GitHub or a person runs; larger values are typos or overflow. */
  static final Duration MAX = Duration.ofDays(366);

  private Durations() {}

  static Duration parse(String option, String text) {
    String value = text.strip().toLowerCase(java.util.Locale.ROOT);
    if (!value.matches("\\d+|(\\d+[hms])+")) {
      throw ImagefleetException.invalidInput(
          option + " must be a duration such as 90s, 33m or 5h30m, got " + InputText.quote(text));
    }
    Duration total;
    try {
      total = value.matches("\\d+") ? Duration.ofSeconds(Long.parseLong(value)) : sum(value);
    } catch (NumberFormatException | ArithmeticException e) {
      total = MAX.plusSeconds(1);
    }
    if (total.isZero()) {
      throw ImagefleetException.invalidInput(
          option + " must be longer than zero, got " + InputText.quote(text));
    }
    if (total.compareTo(MAX) > 0) {
      throw ImagefleetException.invalidInput(
          option + " must be at most 366 days (8784h), got " + InputText.quote(text));
    }
    return total;
  }

  private static Duration sum(String value) {
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
    return total;
  }
}
