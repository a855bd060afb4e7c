package io.imagefleet.cli;

import io.imagefleet.ImagefleetException;
import io.imagefleet.actions.ActionsEnvironment;
import io.imagefleet.actions.WorkflowCommands;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Spec;

/**
 * The action's entrypoint: turns {@code INPUT_*} variables into a command line and runs it. Empty
 * inputs are unset; flags take true/false; inputs of repeatable options take one value a line.
 * Positional inputs that would read as options (a value or line starting with '-') exit 2.
 */
@Command(
    name = "action",
    hidden = true,
    description = "Runs the command the GitHub Action's inputs describe.")
final class ActionCommand implements Callable<Integer> {
  private final ActionsEnvironment env;

  @Spec CommandSpec spec;

  ActionCommand(ActionsEnvironment env) {
    this.env = env;
  }

  @Override
  public Integer call() {
    Optional<String> password = env.input("registry-password");
    if (password.isPresent()) {
      new WorkflowCommands(spec.commandLine().getErr()).addMask(password.get());
    }
    String command =
        env.input("command")
            .orElseThrow(
                () ->
                    ImagefleetException.invalidInput(
                        "input command is required: preflight, build, check, mirror, retain, generate or report"));
    if (!ActionDefinition.COMMANDS.contains(command)) {
      throw ImagefleetException.invalidInput(
          "input command: unknown command '"
              + command
              + "'; use preflight, build, check, mirror, retain, generate or report");
    }
    // The subcommand runs in this same tree: same printers, handlers and environment.
    CommandLine target = spec.root().commandLine().getSubcommands().get(command);
    return target.execute(arguments(target.getCommandSpec(), env).toArray(String[]::new));
  }

  /** The command line the inputs stand for, options first, then the positional parameters. */
  static List<String> arguments(CommandSpec command, ActionsEnvironment env) {
    List<String> options = new ArrayList<>();
    List<String> positionals = new ArrayList<>();
    for (ArgSpec arg : ActionDefinition.args(command)) {
      String name = ActionDefinition.inputName(arg);
      Optional<String> value = env.input(name);
      if (value.isEmpty()) {
        continue;
      }
      if (!arg.isOption()) {
        positionals.addAll(positional(arg, name, value.get()));
      } else if (ActionDefinition.isFlag(arg)) {
        options.addAll(flag((OptionSpec) arg, name, value.get()));
      } else if (arg.isMultiValue()) {
        value
            .get()
            .lines()
            .map(String::strip)
            .filter(v -> !v.isEmpty())
            .forEach(v -> options.add(((OptionSpec) arg).longestName() + "=" + v));
      } else {
        options.add(((OptionSpec) arg).longestName() + "=" + value.get());
      }
    }
    options.addAll(positionals);
    return options;
  }

  /**
   * A positional input's values: one a line when it repeats (report's DIR), else the one value. A
   * value starting with '-' would be read as an option, so none may (nor hide on another line).
   */
  private static List<String> positional(ArgSpec arg, String input, String value) {
    if (!arg.isMultiValue() && value.lines().count() > 1) {
      throw ImagefleetException.invalidInput(
          "input " + input + " takes one value; remove the line break from it");
    }
    List<String> values = value.lines().map(String::strip).filter(v -> !v.isEmpty()).toList();
    for (String v : values) {
      if (v.startsWith("-")) {
        throw ImagefleetException.invalidInput(
            "input "
                + input
                + ": '"
                + v
                + "' starts with '-' and would be read as an option; write a path as ./"
                + v);
      }
    }
    return values;
  }

  private static List<String> flag(OptionSpec option, String input, String value) {
    return switch (value.toLowerCase(java.util.Locale.ROOT)) {
      case "true" -> List.of(option.longestName());
      case "false" ->
          option.negatable()
              ? List.of(option.longestName().replaceFirst("^--", "--no-"))
              : List.of();
      default ->
          throw ImagefleetException.invalidInput(
              "input " + input + " must be true or false, got '" + value + "'");
    };
  }
}
