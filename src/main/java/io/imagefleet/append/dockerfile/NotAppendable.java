package io.imagefleet.append.dockerfile;

import io.imagefleet.InvalidInput;
import java.util.OptionalInt;

/**
 * The Dockerfile asks for something a registry can't assemble (a {@code RUN}, a base that isn't
 * {@code ${BASE_IMAGE}}, a copy whose meaning depends on each base's files). Bad input; {@code
 * --builder auto} takes it as "use the daemon" and shows the message.
 */
public final class NotAppendable extends InvalidInput {
  private final OptionalInt line;

  NotAppendable(String message) {
    this(message, OptionalInt.empty());
  }

  private NotAppendable(String message, OptionalInt line) {
    super(message);
    this.line = line;
  }

  /** The Dockerfile line it is about, when it is about one. */
  public OptionalInt line() {
    return line;
  }

  /** An instruction's text as messages show it: at most 72 characters. */
  static String shown(String text) {
    return text.length() > 72 ? text.substring(0, 69) + "..." : text;
  }

  public static NotAppendable at(Dockerfile.Instruction instruction, String problem) {
    String text = instruction.text();
    String shown = shown(text);
    return new NotAppendable(
        "Dockerfile line "
            + instruction.line()
            + " ("
            + shown
            + "): "
            + problem
            + "; use --builder engine or --builder buildx for this Dockerfile",
        OptionalInt.of(instruction.line()));
  }
}
