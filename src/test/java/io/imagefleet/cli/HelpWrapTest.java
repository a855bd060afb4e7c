package io.imagefleet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.imagefleet.actions.ActionsEnvironment;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;

class HelpWrapTest {

  @Test
  void noHelpLineBreaksInsideAWord() {
    List<String> broken = new ArrayList<>();
    CommandLine root =
        Cli.create(
            new PrintWriter(new StringWriter()),
            new PrintWriter(new StringWriter()),
            new ActionsEnvironment(Map.of()));

    collectBroken(root, broken);

    assertThat(broken).isEmpty();
  }

  @Test
  void aReferenceAtTheEndOfALineMovesWhole() {
    String help = CliRun.run("build", "--help").out();

    assertThat(help).doesNotContain("ghcr.\n");
    assertThat(help.replaceAll("\\s+", " ")).contains("e.g. ghcr.io/org/agent.");
  }

  /** Every word of every description must appear whole, between spaces, in the printed help. */
  private static void collectBroken(CommandLine command, List<String> broken) {
    StringWriter usage = new StringWriter();
    command.usage(new PrintWriter(usage));
    Set<String> printed = Set.copyOf(Arrays.asList(usage.toString().split("\\s+")));
    List<String> described =
        new ArrayList<>(List.of(command.getCommandSpec().usageMessage().description()));
    for (ArgSpec arg : command.getCommandSpec().args()) {
      if (!arg.hidden()) {
        described.addAll(List.of(arg.description()));
      }
    }
    for (CommandLine sub : command.getSubcommands().values()) {
      if (sub.getCommandSpec().usageMessage().hidden()) {
        continue;
      }
      // The command list shows a subcommand's header, else the first line of its description.
      String[] header = sub.getCommandSpec().usageMessage().header();
      String[] description = sub.getCommandSpec().usageMessage().description();
      described.add(header.length > 0 ? header[0] : description[0]);
    }
    Set<String> words =
        described.stream()
            .flatMap(line -> Arrays.stream(String.format(line).split("\\s+")))
            .filter(word -> !word.isEmpty() && !word.contains("${"))
            .collect(Collectors.toSet());
    for (String word : words) {
      if (!printed.contains(word)) {
        broken.add(command.getCommandSpec().qualifiedName() + ": " + word);
      }
    }
    command.getSubcommands().values().forEach(sub -> collectBroken(sub, broken));
  }
}
