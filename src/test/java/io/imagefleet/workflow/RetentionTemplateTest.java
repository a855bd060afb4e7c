package io.imagefleet.workflow;

import static org.assertj.core.api.Assertions.assertThat;

import io.imagefleet.workflow.Workflow.Input;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The retention template reads as a workflow on its own: editors and linters warn on no input. */
class RetentionTemplateTest {
  private static final Path TEMPLATE = Path.of("workflows-templates/retention.yml");

  @Test
  void everyInputTheTemplateReadsIsDeclaredInIt() throws IOException {
    String text = Files.readString(TEMPLATE);
    Set<String> read = new TreeSet<>();
    Matcher input = Pattern.compile("inputs\\.([A-Za-z0-9_-]+)").matcher(text);
    while (input.find()) {
      read.add(input.group(1));
    }

    Set<String> declared =
        WorkflowYaml.read(text, TEMPLATE.toString()).on().inputs().stream()
            .map(Input::name)
            .collect(Collectors.toSet());

    assertThat(read).isNotEmpty();
    assertThat(declared).containsAll(read);
  }

  @Test
  void theGeneratedDefaultsComeFromTheOptions() {
    Workflow workflow = new RetentionWorkflow(5, 30, "0 1 * * *", "o/r@v1").generate();

    assertThat(workflow.on().inputs())
        .extracting(Input::name, Input::defaultValue)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("keep-commits", 5),
            org.assertj.core.groups.Tuple.tuple("keep-days", 30),
            org.assertj.core.groups.Tuple.tuple("dry-run", false));
  }
}
