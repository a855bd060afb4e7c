package io.imagefleet.actions;

import io.imagefleet.LocalFailure;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * Writes a step's outputs and summary through the files GitHub provides ({@code GITHUB_OUTPUT},
 * {@code GITHUB_STEP_SUMMARY}). Without those files (a local run) writes are dropped.
 */
public final class StepFiles {
  private final Optional<Path> outputFile;
  private final Optional<Path> summaryFile;

  public StepFiles(ActionsEnvironment environment) {
    this.outputFile = environment.outputFile();
    this.summaryFile = environment.summaryFile();
  }

  /** Sets outputs in the given order; multi-line values use a random heredoc delimiter. */
  public void setOutputs(Map<String, String> outputs) {
    if (outputFile.isEmpty()) {
      return;
    }
    StringBuilder text = new StringBuilder();
    outputs.forEach((name, value) -> text.append(outputRecord(name, value)));
    append(outputFile.get(), text.toString());
  }

  public void setOutput(String name, String value) {
    setOutputs(Map.of(name, value));
  }

  /** Appends Markdown to the step summary. */
  public void appendSummary(String markdown) {
    summaryFile.ifPresent(
        file -> append(file, markdown.endsWith("\n") ? markdown : markdown + "\n"));
  }

  static String outputRecord(String name, String value) {
    if (name.isEmpty() || name.contains("=") || name.contains("\n") || name.contains("<<")) {
      throw new IllegalArgumentException("invalid output name: " + name);
    }
    if (!value.contains("\n") && !value.contains("\r")) {
      return name + "=" + value + "\n";
    }
    String delimiter;
    do {
      delimiter = "ghadelimiter_" + UUID.randomUUID();
    } while (value.contains(delimiter));
    return name + "<<" + delimiter + "\n" + value + "\n" + delimiter + "\n";
  }

  private static void append(Path file, String text) {
    try {
      Files.writeString(
          file,
          text,
          StandardCharsets.UTF_8,
          StandardOpenOption.CREATE,
          StandardOpenOption.APPEND,
          StandardOpenOption.WRITE);
    } catch (IOException e) {
      throw new LocalFailure("cannot write the step file " + file + ": " + e.getMessage(), e);
    }
  }
}
