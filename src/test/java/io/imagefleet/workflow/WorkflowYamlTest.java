package io.imagefleet.workflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.imagefleet.Benchmark;
import io.imagefleet.ImagefleetException;
import io.imagefleet.InvalidInput;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class WorkflowYamlTest {

  @ParameterizedTest
  @EnumSource(
      value = Benchmark.class,
      names = {"SWE_BENCH", "SWT_BENCH"})
  void generatedYamlParsesBackToTheSameModel(Benchmark benchmark) {
    for (int shards : new int[] {1, 3}) {
      WorkflowSettings settings = withShards(WorkflowSettings.defaults(benchmark), shards);
      WorkflowGenerator generator = new WorkflowGenerator(Template.builtIn(benchmark), settings);
      Workflow model = generator.generate();

      String text =
          generator.render(new RegenerateCommand(settings, Optional.empty(), Optional.empty()));

      assertThat(WorkflowYaml.read(text, "generated")).isEqualTo(model);
    }
  }

  @Test
  void theOnKeyStaysAPlainStringBothWays() {
    Workflow workflow = WorkflowYaml.read("on:\n  push: {}\njobs: {}\n", "t.yml");
    assertThat(workflow.on().otherEvents()).containsOnlyKeys("push");

    String text = WorkflowYaml.write(workflow, List.of(), uses -> Optional.empty());

    assertThat(text).startsWith("on:\n");
  }

  @Test
  void wordsThatYaml11ReadsAsBooleansAreQuoted() {
    Workflow workflow =
        WorkflowYaml.read("on: {}\nenv:\n  A: 'off'\n  B: 'yes'\n  C: 'on'\njobs: {}\n", "t.yml");

    String text = WorkflowYaml.write(workflow, List.of(), uses -> Optional.empty());

    assertThat(text).contains("  A: 'off'\n  B: 'yes'\n  C: on\n");
    assertThat(WorkflowYaml.read(text, "again").env())
        .isEqualTo(Map.of("A", "off", "B", "yes", "C", "on"));
  }

  @Test
  void multiLineScriptsAreLiteralBlocksAndLongLinesAreNotWrapped() {
    String longExpression = "${{ " + "inputs.a || ".repeat(30) + "'x' }}";
    Workflow workflow =
        WorkflowYaml.read(
            "on: {}\njobs:\n  j:\n    steps:\n      - run: |\n          echo one\n          echo two\n"
                + "        with:\n          v: \""
                + longExpression
                + "\"\n",
            "t.yml");

    String text = WorkflowYaml.write(workflow, List.of("header"), uses -> Optional.empty());

    assertThat(text).startsWith("# header\n");
    assertThat(text).contains("run: |\n          echo one\n          echo two\n");
    assertThat(text).contains("v: " + longExpression + "\n");
  }

  @Test
  void keysTheModelDoesNotKnowAreKeptInPlace() {
    String yaml =
        "on: {}\ndefaults:\n  run:\n    shell: bash\njobs:\n  j:\n    runs-on: x\n    services:\n"
            + "      db:\n        image: postgres\n    steps:\n      - uses: a/b@"
            + "0123456789012345678901234567890123456789\n        continue-on-error: true\n";

    Workflow workflow = WorkflowYaml.read(yaml, "t.yml");
    String text = WorkflowYaml.write(workflow, List.of(), uses -> Optional.of("pinned"));

    assertThat(workflow.extra()).containsOnlyKeys("defaults");
    assertThat(workflow.jobs().get("j").extra()).containsOnlyKeys("services");
    assertThat(text).contains("    services:\n      db:\n        image: postgres\n    steps:\n");
    assertThat(text)
        .contains(
            "continue-on-error: true\n        uses: a/b@0123456789012345678901234567890123456789 # pinned\n");
  }

  @Test
  void invalidYamlNamesTheSourceAndLine() {
    assertThatThrownBy(() -> WorkflowYaml.read("on:\n  push: {}\njobs: [\n", "my.yml"))
        .isInstanceOf(ImagefleetException.class)
        .hasMessageStartingWith("my.yml: line 4: not valid YAML")
        .isInstanceOf(InvalidInput.class);
  }

  @Test
  void aWrongShapeNamesThePath() {
    assertThatThrownBy(() -> WorkflowYaml.read("on: {}\njobs:\n  j:\n    steps: oops\n", "my.yml"))
        .hasMessage("my.yml: jobs.j.steps: expected a list");
    assertThatThrownBy(
            () ->
                WorkflowYaml.read(
                    "on:\n  workflow_call:\n    inputs:\n      a:\n        type: bogus\njobs: {}\n",
                    "my.yml"))
        .hasMessage("my.yml: on.workflow_call.inputs.a.type: unknown input type 'bogus'");
    assertThatThrownBy(
            () ->
                WorkflowYaml.read(
                    "on:\n  workflow_dispatch:\n    branches: [main]\njobs: {}\n", "my.yml"))
        .hasMessage("my.yml: on.workflow_dispatch.branches: unsupported key");
    assertThatThrownBy(() -> WorkflowYaml.read("- a\n- b\n", "my.yml"))
        .hasMessage("my.yml: expected a mapping at the top level");
  }

  private static WorkflowSettings withShards(WorkflowSettings s, int shards) {
    return new WorkflowSettings(
        s.benchmark(),
        s.workers(),
        s.batchSize(),
        s.cacheMode(),
        s.timeoutMinutes(),
        s.imageTimeoutMinutes(),
        s.runner(),
        s.nLimit(),
        shards,
        s.dataset(),
        s.split(),
        s.image(),
        s.baseMirror(),
        s.actionRef(),
        s.minFreeGb(),
        s.buildMinFreeGb(),
        s.keepStorageGb());
  }
}
