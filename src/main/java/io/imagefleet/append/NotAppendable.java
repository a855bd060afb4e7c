package io.imagefleet.append;

import io.imagefleet.ExitCode;
import io.imagefleet.ImagefleetException;

/**
 * The Dockerfile asks for something a registry can't assemble (a {@code RUN}, a base that isn't
 * {@code ${BASE_IMAGE}}, a copy whose meaning depends on each base's files). Exit code 2; {@code
 * --builder auto} takes it as "use the daemon" and shows the message.
 */
public final class NotAppendable extends ImagefleetException {
  NotAppendable(String message) {
    super(ExitCode.INVALID_INPUT, message);
  }

  static NotAppendable at(Dockerfile.Instruction instruction, String problem) {
    String text = instruction.text();
    String shown = text.length() > 72 ? text.substring(0, 69) + "..." : text;
    return new NotAppendable(
        "Dockerfile line "
            + instruction.line()
            + " ("
            + shown
            + "): "
            + problem
            + "; use --builder engine or --builder buildx for this Dockerfile");
  }
}
