package io.imagefleet.workflow;

import io.imagefleet.Benchmark;
import io.imagefleet.ImagefleetException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** A workflow template: the built-in one of a benchmark, or a user's file. */
public record Template(String name, Workflow workflow) {
  static final String RESOURCE_DIR = "workflows-templates/";

  /** The template shipped in the jar for the benchmark. */
  public static Template builtIn(Benchmark benchmark) {
    return builtIn(benchmark.id());
  }

  /** The template {@code workflows-templates/<id>.yml} shipped in the jar. */
  static Template builtIn(String id) {
    String resource = RESOURCE_DIR + id + ".yml";
    try (InputStream in = Template.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("the jar lacks " + resource);
      }
      String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      return new Template(id, WorkflowYaml.read(text, resource));
    } catch (IOException e) {
      throw new IllegalStateException("cannot read " + resource, e);
    }
  }

  /** A user's template file; errors name the file. */
  public static Template file(Path path) {
    String text;
    try {
      text = Files.readString(path, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw ImagefleetException.invalidInput(
          "--template " + path + ": no such file; pass an existing workflow template");
    } catch (IOException e) {
      throw ImagefleetException.invalidInput(
          "--template " + path + ": cannot read: " + e.getMessage());
    }
    // Named as the header's command names it, so its spelling on the command line is no drift.
    return new Template(
        RegenerateCommand.path(path.toString()), WorkflowYaml.read(text, path.toString()));
  }
}
