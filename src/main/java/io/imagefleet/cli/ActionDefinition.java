package io.imagefleet.cli;

import io.imagefleet.workflow.WorkflowYaml;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * action.yml, derived from the CLI: input {@code command}, the registry credentials, and one input
 * per option of preflight, build, generate and report (named by its long name). The CLI is the one
 * source of truth; a test fails when action.yml or the README table drifts from it.
 */
final class ActionDefinition {
  /** The commands the action runs, in the order their options are listed. */
  static final List<String> COMMANDS =
      List.of("preflight", "build", "check", "mirror", "retain", "generate", "report");

  /** Inputs that are no CLI option; the entrypoint handles them itself. */
  static final Map<String, String> OWN_INPUTS =
      Map.of(
          "command", "What to run: preflight, build, check, mirror, retain, generate or report.",
          "registry-username",
              "User for the registry the build pushes to (default: the token's owner).",
          "registry-password",
              "Token or password for that registry; masked before anything prints.");

  /** What the commands write to GITHUB_OUTPUT. */
  static final Map<String, String> OUTPUTS = outputs();

  /** One action input: which commands take it, and how. */
  record Input(
      String name, String description, String defaultValue, Set<String> commands, boolean flag) {}

  private ActionDefinition() {}

  static Map<String, Input> inputs(CommandLine root) {
    Map<String, Map<String, ArgSpec>> byName = new LinkedHashMap<>();
    for (String command : COMMANDS) {
      for (ArgSpec arg : args(root.getSubcommands().get(command).getCommandSpec())) {
        byName.computeIfAbsent(inputName(arg), k -> new LinkedHashMap<>()).put(command, arg);
      }
    }
    Map<String, Input> inputs = new LinkedHashMap<>();
    byName.forEach((name, specs) -> inputs.put(name, input(name, specs)));
    return inputs;
  }

  /** The options and positionals of a command that become inputs (help, version, hidden: not). */
  static List<ArgSpec> args(CommandSpec spec) {
    List<ArgSpec> args = new ArrayList<>();
    for (OptionSpec option : spec.options()) {
      if (!option.hidden()
          && !option.usageHelp()
          && !option.versionHelp()
          && !option.longestName().equals("--stacktrace")) {
        args.add(option);
      }
    }
    args.addAll(spec.positionalParameters());
    return args;
  }

  static String inputName(ArgSpec arg) {
    return arg.isOption()
        ? ((OptionSpec) arg).longestName().replaceFirst("^--", "")
        : arg.paramLabel().toLowerCase(java.util.Locale.ROOT);
  }

  static boolean isFlag(ArgSpec arg) {
    return arg.isOption() && arg.arity().max() == 0;
  }

  private static Input input(String name, Map<String, ArgSpec> specs) {
    Set<String> descriptions = new LinkedHashSet<>();
    Set<String> defaults = new LinkedHashSet<>();
    specs
        .values()
        .forEach(
            arg -> {
              descriptions.add(description(arg));
              defaults.add(defaultValue(arg));
            });
    String description =
        descriptions.size() == 1
            ? descriptions.iterator().next()
            : String.join(
                " ",
                specs.entrySet().stream()
                    .map(e -> e.getKey() + ": " + description(e.getValue()))
                    .toList());
    // Commands that disagree on a default get none here, so that each applies its own.
    String defaultValue = defaults.size() == 1 ? defaults.iterator().next() : "";
    boolean flag = specs.values().stream().allMatch(ActionDefinition::isFlag);
    return new Input(name, description, defaultValue, specs.keySet(), flag);
  }

  static String description(ArgSpec arg) {
    String text = String.join(" ", arg.description());
    return text.replace("${DEFAULT-VALUE}", Optional.ofNullable(arg.defaultValue()).orElse(""));
  }

  static String defaultValue(ArgSpec arg) {
    if (isFlag(arg)) {
      return Optional.ofNullable(arg.defaultValue()).orElse("false");
    }
    return Optional.ofNullable(arg.defaultValue()).orElse("");
  }

  /** action.yml as text. */
  static String render(CommandLine root) {
    Map<String, Object> action = new LinkedHashMap<>();
    action.put("name", "imagefleet");
    action.put(
        "description",
        "Build one Docker image per SWE-Bench/SWT-Bench instance at scale: preflight the disk, batch-build with a cached sdist, report, generate the workflows.");
    action.put("author", "imagefleet");
    Map<String, Object> branding = new LinkedHashMap<>();
    branding.put("icon", "package");
    branding.put("color", "blue");
    action.put("branding", branding);
    action.put("inputs", inputSection(root));
    Map<String, Object> outputs = new LinkedHashMap<>();
    OUTPUTS.forEach(
        (name, description) ->
            outputs.put(name, new LinkedHashMap<>(Map.of("description", description))));
    action.put("outputs", outputs);
    Map<String, Object> runs = new LinkedHashMap<>();
    runs.put("using", "docker");
    runs.put("image", "Dockerfile");
    action.put("runs", runs);
    return WorkflowYaml.dump(
        action,
        List.of(
            "Generated from imagefleet's CLI options by ActionDefinitionTest; do not edit by hand.",
            "Regenerate with: UPDATE_ACTION_YML=1 mvn test -Dtest=ActionDefinitionTest"),
        uses -> Optional.empty());
  }

  /** action.yml's inputs: the action's own, then one per CLI option, in the CLI's order. */
  private static Map<String, Object> inputSection(CommandLine root) {
    Map<String, Object> inputs = new LinkedHashMap<>();
    for (String own : List.of("command", "registry-username", "registry-password")) {
      Map<String, Object> input = new LinkedHashMap<>();
      input.put("description", OWN_INPUTS.get(own));
      input.put("required", own.equals("command"));
      input.put("default", "");
      inputs.put(own, input);
    }
    inputs(root)
        .values()
        .forEach(
            i -> {
              Map<String, Object> input = new LinkedHashMap<>();
              input.put(
                  "description", "(" + String.join(", ", i.commands()) + ") " + i.description());
              input.put("required", false);
              input.put("default", i.defaultValue());
              inputs.put(i.name(), input);
            });
    return inputs;
  }

  /** The README table of inputs and outputs. */
  static String markdown(CommandLine root) {
    StringBuilder md =
        new StringBuilder("| input | commands | default | description |\n|---|---|---|---|\n");
    for (String own : List.of("command", "registry-username", "registry-password")) {
      md.append("| `")
          .append(own)
          .append("` | all | | ")
          .append(OWN_INPUTS.get(own))
          .append(" |\n");
    }
    inputs(root)
        .values()
        .forEach(
            i ->
                md.append("| `")
                    .append(i.name())
                    .append("` | ")
                    .append(String.join(", ", i.commands()))
                    .append(" | ")
                    .append(i.defaultValue().isEmpty() ? "" : "`" + i.defaultValue() + "`")
                    .append(" | ")
                    .append(i.description().replace("|", "\\|"))
                    .append(" |\n"));
    md.append("\n| output | description |\n|---|---|\n");
    OUTPUTS.forEach(
        (name, description) ->
            md.append("| `").append(name).append("` | ").append(description).append(" |\n"));
    return md.toString();
  }

  private static Map<String, String> outputs() {
    Map<String, String> outputs = new LinkedHashMap<>();
    outputs.put("free-gb", "preflight: GiB free on the Docker data root after pruning");
    outputs.put("reclaimed-gb", "preflight: GiB reclaimed by pruning");
    outputs.put("build-cache-gb", "preflight: GiB of build cache left (daemon and buildx builder)");
    outputs.put("built", "build: images built and pushed");
    outputs.put("skipped", "build: images the registry already had");
    outputs.put("retagged", "build: images tagged from an earlier run's image with the same key");
    outputs.put("failed", "build: images that failed");
    outputs.put("manifest", "build: path of manifest.jsonl");
    outputs.put("present", "check: images the registry has");
    outputs.put("missing", "check: images the registry lacks");
    outputs.put("check-report", "check: path of check.jsonl");
    outputs.put("workflow", "generate: path of the workflow written");
    return outputs;
  }
}
