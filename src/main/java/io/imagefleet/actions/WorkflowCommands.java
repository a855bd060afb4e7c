package io.imagefleet.actions;

import java.io.PrintWriter;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * GitHub Actions workflow commands ({@code ::group::}, {@code ::error::}, {@code ::add-mask::})
 * written to a console. Data and property values are escaped as the runner expects. The only writer
 * of real commands: everything else printed on the console is guarded by {@link RunnerSafeWriter}.
 */
public final class WorkflowCommands {
  private final RunnerSafeWriter out;

  /** Commands on {@code out}, guarded as {@link RunnerSafeWriter#of} guards it. */
  public WorkflowCommands(PrintWriter out) {
    this.out = RunnerSafeWriter.of(out);
  }

  public void group(String title) {
    command("group", escapeData(title));
  }

  public void endGroup() {
    command("endgroup", "");
  }

  /** Prints the lines inside a collapsed group, as {@link #verbatim} does. */
  public void grouped(String title, Supplier<String> body) {
    group(title);
    verbatim(body.get());
    endGroup();
  }

  /**
   * Prints untrusted lines (a log tail) with the runner's command processing stopped around them,
   * under a random token the text cannot know; the lines are guarded as well.
   */
  public void verbatim(String text) {
    String token;
    do {
      token = UUID.randomUUID().toString().replace("-", "");
    } while (text.contains(token));
    out.command("::stop-commands::" + token);
    out.println(text);
    out.flush();
    out.command("::" + token + "::");
  }

  /** Hides the value in every later log line of the job; call it before the value can appear. */
  public void addMask(String secret) {
    if (secret != null && !secret.isBlank()) {
      // Not escapeData: the mask must be the secret itself, "##[" and all.
      command("add-mask", secret.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A"));
    }
  }

  /** An error annotation, attached to a file (and line, when positive) if one is given. */
  public void error(String file, int line, String message) {
    StringBuilder properties = new StringBuilder();
    if (file != null && !file.isEmpty()) {
      properties.append(" file=").append(escapeProperty(file));
      if (line > 0) {
        properties.append(",line=").append(line);
      }
    }
    out.command("::error" + properties + "::" + escapeData(message));
  }

  private void command(String name, String data) {
    out.command("::" + name + "::" + data);
  }

  /** Also breaks a legacy {@code ##[} command, which the runner finds anywhere in a line. */
  static String escapeData(String value) {
    return value
        .replace("%", "%25")
        .replace("\r", "%0D")
        .replace("\n", "%0A")
        .replace("##[", "##\\[");
  }

  static String escapeProperty(String value) {
    return escapeData(value).replace(":", "%3A").replace(",", "%2C");
  }
}
