package io.imagefleet.workflow;

import io.imagefleet.InputText;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The command a generated file's header names to regenerate it, built from the validated settings
 * (not the raw arguments): one line, each word shell-quoted, so no value can end the comment.
 */
public record RegenerateCommand(
    WorkflowSettings settings, Optional<String> template, Optional<String> output) {
  private static final Pattern PLAIN_WORD = Pattern.compile("[A-Za-z0-9_@%+=:,./-]+");

  public RegenerateCommand {
    template.ifPresent(t -> InputText.requireOneLine("--template", t));
    output.ifPresent(o -> InputText.requireOneLine("-o/--output", o));
  }

  public List<String> words() {
    List<String> words =
        new ArrayList<>(List.of("imagefleet", "generate", settings.benchmark().id()));
    words.addAll(settings.options());
    template.ifPresent(t -> words.addAll(List.of("--template", path(t))));
    output.ifPresent(o -> words.addAll(List.of("-o", path(o))));
    return words;
  }

  /** The words as a POSIX shell line; quoted only where needed, so defaults read as typed. */
  public String line() {
    return words().stream().map(RegenerateCommand::shellQuote).collect(Collectors.joining(" "));
  }

  /**
   * A file as the header names it: relative to the working directory when it lies there, without
   * {@code ./}, so {@code --check} with {@code -o} spelled another way finds no drift.
   */
  public static String path(String typed) {
    Path file;
    try {
      file = Path.of(typed);
    } catch (InvalidPathException e) {
      return typed;
    }
    Path here = Path.of("").toAbsolutePath();
    Path absolute = file.toAbsolutePath().normalize();
    if (absolute.startsWith(here) && !absolute.equals(here)) {
      return here.relativize(absolute).toString();
    }
    return file.isAbsolute() ? absolute.toString() : file.normalize().toString();
  }

  public static String shellQuote(String word) {
    return PLAIN_WORD.matcher(word).matches() ? word : "'" + word.replace("'", "'\\''") + "'";
  }
}
