package io.imagefleet.cli;

import com.github.difflib.DiffUtils;
import com.github.difflib.UnifiedDiffUtils;
import io.imagefleet.ImagefleetException;
import io.imagefleet.SafeFiles;
import io.imagefleet.actions.StepFiles;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

/** A generated file: written atomically, or compared with what is on disk (exit 6 on drift). */
record GeneratedFile(PrintWriter out, PrintWriter err) {
  /**
   * What generate does with the text: compares it with {@code output} (--check), prints it (no
   * output file) or writes it and names the file in the step output {@code workflow}.
   */
  int emit(String text, String output, boolean check, StepFiles steps) {
    if (check) {
      return check(output, text);
    }
    if (output == null) {
      out.print(text);
      out.flush();
      return ExitCode.OK.code();
    }
    write(Path.of(output), text);
    steps.setOutput("workflow", output);
    return ExitCode.OK.code();
  }

  void write(Path file, String text) {
    try {
      SafeFiles.writeAtomically(file, text.getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw ImagefleetException.invalidInput("-o " + file + ": cannot write: " + e.getMessage());
    }
    err.println("imagefleet: wrote " + file);
  }

  int check(String output, String expected) {
    if (output == null) {
      throw ImagefleetException.invalidInput("--check needs -o/--output FILE to compare with");
    }
    Path file = Path.of(output);
    String actual;
    try {
      actual = Files.readString(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      actual = "";
    } catch (IOException e) {
      throw ImagefleetException.invalidInput("-o " + file + ": cannot read: " + e.getMessage());
    }
    if (actual.equals(expected)) {
      err.println("imagefleet: " + file + " is up to date");
      return ExitCode.OK.code();
    }
    List<String> before = actual.lines().toList();
    List<String> after = expected.lines().toList();
    UnifiedDiffUtils.generateUnifiedDiff(
            file.toString(), "generated", before, DiffUtils.diff(before, after), 3)
        .forEach(out::println);
    out.flush();
    err.println(
        "imagefleet: "
            + file
            + " has drifted from what generate produces; regenerate it with the command in its header");
    return ExitCode.DRIFT.code();
  }
}
