package io.imagefleet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.imagefleet.actions.ActionsEnvironment;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/**
 * action.yml and the README's input table are what the CLI says; regenerate with
 * UPDATE_ACTION_YML=1.
 */
class ActionDefinitionTest {
  private static final Path ACTION = Path.of("action.yml");
  private static final Path README = Path.of("README.md");
  private static final String START = "<!-- action-inputs:start -->\n";
  private static final String END = "<!-- action-inputs:end -->";

  private final CommandLine root =
      Cli.create(
          new PrintWriter(new StringWriter()),
          new PrintWriter(new StringWriter()),
          new ActionsEnvironment(Map.of()));

  @Test
  void actionYmlMatchesTheCli() throws Exception {
    String expected = ActionDefinition.render(root);
    if (System.getenv("UPDATE_ACTION_YML") != null) {
      Files.writeString(ACTION, expected);
    }
    assertThat(Files.readString(ACTION)).isEqualTo(expected);
  }

  @Test
  void everyOptionIsAnInputAndEveryInputAnOption() throws Exception {
    Map<String, Object> action = new Yaml().load(Files.readString(ACTION));
    @SuppressWarnings("unchecked")
    Set<String> inputs = ((Map<String, Object>) action.get("inputs")).keySet();
    Set<String> options = new LinkedHashSet<>(ActionDefinition.OWN_INPUTS.keySet());
    for (String command : ActionDefinition.COMMANDS) {
      for (OptionSpec option : root.getSubcommands().get(command).getCommandSpec().options()) {
        if (!option.hidden()
            && !option.usageHelp()
            && !option.versionHelp()
            && !option.longestName().equals("--stacktrace")) {
          options.add(option.longestName().substring(2));
        }
      }
    }
    options.add("benchmark");
    options.add("dir");

    assertThat(inputs).containsExactlyInAnyOrderElementsOf(options);
    assertThat(inputs)
        .contains(
            "min-free-gb",
            "keep-storage-gb",
            "dry-run",
            "push",
            "shards",
            "check",
            "remove-toolchains");
  }

  @Test
  void defaultsAndDescriptionsComeFromTheOptions() throws Exception {
    @SuppressWarnings("unchecked")
    Map<String, Map<String, Object>> inputs =
        (Map<String, Map<String, Object>>)
            ((Map<String, Object>) new Yaml().load(Files.readString(ACTION))).get("inputs");

    assertThat(inputs.get("image-timeout"))
        .containsEntry("default", "33m")
        .containsEntry(
            "description", "(build) Time limit of one image's build and push (default: 33m).");
    assertThat(inputs.get("remove-toolchains").get("default")).isEqualTo("false");
    assertThat(inputs.get("push").get("default")).isEqualTo("true");
    // preflight and build disagree on --min-free-gb (75, 20): the action leaves it to each command.
    assertThat(inputs.get("min-free-gb").get("default")).isEqualTo("");
    assertThat((String) inputs.get("min-free-gb").get("description"))
        .contains("preflight: Free GiB required on the data root after pruning (default: 75).")
        .contains("build: ");
  }

  @Test
  void theReadmeListsEveryInputAndOutput() throws Exception {
    String readme = Files.readString(README);
    int start = readme.indexOf(START);
    int end = readme.indexOf(END);
    assertThat(start).as("README markers").isPositive();
    String expected = ActionDefinition.markdown(root);
    if (System.getenv("UPDATE_ACTION_YML") != null) {
      Files.writeString(
          README, readme.substring(0, start + START.length()) + expected + readme.substring(end));
      readme = Files.readString(README);
      start = readme.indexOf(START);
      end = readme.indexOf(END);
    }
    assertThat(readme.substring(start + START.length(), end)).isEqualTo(expected);
  }

  @Test
  void theReadmeNamesTheCommandsTheActionRunsAndOnlyThose() throws Exception {
    String readme = Files.readString(README).replaceAll("\\s+", " ");
    List<String> quoted = ActionDefinition.COMMANDS.stream().map(c -> "`" + c + "`").toList();
    String list =
        String.join(", ", quoted.subList(0, quoted.size() - 1))
            + " or "
            + quoted.get(quoted.size() - 1);

    assertThat(readme)
        .contains("with input `command` (" + list + ")")
        .contains("`dispatch` is not an action command");
    assertThat(ActionDefinition.COMMANDS).doesNotContain("dispatch");
  }
}
