package io.imagefleet.actions;

import java.io.PrintWriter;
import java.util.function.Supplier;

/**
 * GitHub Actions workflow commands ({@code ::group::}, {@code ::error::}, {@code ::add-mask::})
 * written to a console. Data and property values are escaped as the runner expects.
 */
public final class WorkflowCommands {
  private final PrintWriter out;

  public WorkflowCommands(PrintWriter out) {
    this.out = out;
  }

  public void group(String title) {
    command("group", escapeData(title));
  }

  public void endGroup() {
    command("endgroup", "");
  }

  /** Prints the lines inside a collapsed group. */
  public void grouped(String title, Supplier<String> body) {
    group(title);
    out.println(body.get());
    endGroup();
  }

  /** Hides the value in every later log line of the job; call it before the value can appear. */
  public void addMask(String secret) {
    if (secret != null && !secret.isBlank()) {
      command("add-mask", escapeData(secret));
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
    out.println("::error" + properties + "::" + escapeData(message));
    out.flush();
  }

  private void command(String name, String data) {
    out.println("::" + name + "::" + data);
    out.flush();
  }

  static String escapeData(String value) {
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A");
  }

  static String escapeProperty(String value) {
    return escapeData(value).replace(":", "%3A").replace(",", "%2C");
  }
}
