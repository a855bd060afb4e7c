package io.imagefleet.workflow;

import io.imagefleet.ImagefleetException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * Workflow YAML in and out: {@link WorkflowReader} turns text into the {@link Workflow} model,
 * {@link WorkflowWriter} the model into ordered maps, and {@link GithubYaml} those into text.
 */
public final class WorkflowYaml {
  private WorkflowYaml() {}

  /** Parses workflow text; {@code source} names it in error messages. */
  public static Workflow read(String text, String source) {
    Object document;
    try {
      document = GithubYaml.load(text);
    } catch (MarkedYAMLException e) {
      int line = e.getProblemMark() == null ? 0 : e.getProblemMark().getLine() + 1;
      throw invalid(source, "line " + line + ": not valid YAML: " + e.getProblem());
    } catch (YAMLException e) {
      throw invalid(source, "not valid YAML: " + firstLine(e.getMessage()));
    }
    if (!(document instanceof Map<?, ?>)) {
      throw invalid(source, "expected a mapping at the top level");
    }
    return WorkflowReader.read(new YamlFields(document, source, ""));
  }

  /**
   * Writes the workflow after the header comment lines. {@code usesComment} gives the trailing
   * comment for a {@code uses:} value, e.g. the version a pinned SHA stands for.
   */
  public static String write(
      Workflow workflow, List<String> header, Function<String, Optional<String>> usesComment) {
    return dump(WorkflowWriter.toMap(workflow), header, usesComment);
  }

  /** Any GitHub YAML document (ordered maps and lists) in the same deterministic style. */
  public static String dump(
      Map<String, Object> document,
      List<String> header,
      Function<String, Optional<String>> usesComment) {
    return GithubYaml.dump(document, header, usesComment);
  }

  static ImagefleetException invalid(String source, String message) {
    return ImagefleetException.invalidInput(source + ": " + message);
  }

  private static String firstLine(String message) {
    return message == null ? "" : message.lines().findFirst().orElse("").strip();
  }
}
