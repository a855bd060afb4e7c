package io.imagefleet.actions;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * What GitHub Actions hands a step through the environment: {@code INPUT_*} values and the paths of
 * the file commands. Outside a runner every lookup is simply empty.
 */
public record ActionsEnvironment(Map<String, String> variables) {

  public ActionsEnvironment {
    variables = Map.copyOf(withRegistryLogin(variables));
  }

  /**
   * The action's registry-username/-password inputs stand for the IMAGEFLEET_REGISTRY_* variables
   * every command reads credentials from; an input wins over a variable.
   */
  private static Map<String, String> withRegistryLogin(Map<String, String> variables) {
    Map<String, String> merged = new HashMap<>(variables);
    for (String field : new String[] {"USERNAME", "PASSWORD"}) {
      String input = variables.get("INPUT_REGISTRY-" + field);
      if (input != null && !input.isBlank()) {
        merged.put("IMAGEFLEET_REGISTRY_" + field, input.strip());
      }
    }
    return merged;
  }

  public static ActionsEnvironment current() {
    return new ActionsEnvironment(System.getenv());
  }

  /**
   * The input named as in action.yml. GitHub upper-cases the name and turns spaces into underscores
   * but keeps hyphens ({@code INPUT_MIN-FREE-GB}). An empty value means "not set".
   */
  public Optional<String> input(String name) {
    String key = "INPUT_" + name.replace(' ', '_').toUpperCase(Locale.ROOT);
    return variable(key).map(String::strip).filter(value -> !value.isEmpty());
  }

  public Optional<String> variable(String name) {
    return Optional.ofNullable(variables.get(name));
  }

  public boolean onRunner() {
    return "true".equals(variables.get("GITHUB_ACTIONS"));
  }

  /** The file behind {@code GITHUB_OUTPUT}, when the step has one. */
  public Optional<Path> outputFile() {
    return path("GITHUB_OUTPUT");
  }

  /** The file behind {@code GITHUB_STEP_SUMMARY}, when the step has one. */
  public Optional<Path> summaryFile() {
    return path("GITHUB_STEP_SUMMARY");
  }

  private Optional<Path> path(String name) {
    return variable(name).filter(value -> !value.isBlank()).map(Path::of);
  }
}
