package io.imagefleet.workflow;

import static org.assertj.core.api.Assertions.assertThat;

import io.imagefleet.Benchmark;
import io.imagefleet.cli.CliRun;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** User templates through {@code generate --template}: what they may add and what is refused. */
class TemplateTest {
  private static final String MINIMAL =
      """
      name: Mine
      on:
        workflow_dispatch:
          inputs:
            agent-version:
              description: Which agent
              type: string
              default: latest
        workflow_call:
          outputs:
            built:
              description: Built
      jobs:
        build:
          runs-on: ${{ inputs.runner }}
          outputs:
            built: ${{ steps.build.outputs.built }}
          steps:
            - uses: actions/checkout@v4.2.2
            - id: build
              uses: imagefleet
              with:
                command: build
      """;

  @TempDir Path dir;

  @Test
  void aMinimalTemplateGetsInputsPinsAndTheActionRef() throws IOException {
    Path template = write("mine.yml", MINIMAL);

    CliRun run =
        CliRun.run(
            "generate",
            "swe-bench",
            "--template",
            template.toString(),
            "--action-ref",
            "acme/imagefleet@v2");

    assertThat(run.exitCode()).as(run.err()).isZero();
    Workflow workflow = WorkflowYaml.read(run.out(), "out");
    assertThat(workflow.on().inputs())
        .extracting(Workflow.Input::name)
        .contains("workers", "agent-version");
    assertThat(workflow.on().callOutputs().get("built").value())
        .isEqualTo("${{ jobs.build.outputs.built }}");
    assertThat(workflow.jobs().get("build").steps().get(0).uses())
        .isEqualTo("actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683");
    assertThat(workflow.jobs().get("build").steps().get(1).uses()).isEqualTo("acme/imagefleet@v2");
    assertThat(run.out())
        .contains(
            "#   imagefleet generate swe-bench --action-ref acme/imagefleet@v2 --template "
                + template
                + "\n");
  }

  @Test
  void anUnknownActionVersionIsRefusedNamingTheStep() throws IOException {
    Path template =
        write("t.yml", MINIMAL.replace("actions/checkout@v4.2.2", "actions/checkout@v4"));

    CliRun run = CliRun.run("generate", "swe-bench", "--template", template.toString());

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err())
        .startsWith(
            "imagefleet: "
                + template
                + ": jobs.build.steps[0]: 'actions/checkout@v4' is not pinned"
                + " to a full commit SHA and imagefleet has no pin for it; write it as"
                + " actions/checkout@<40-hex-sha>, or use one of actions/checkout@v4.2.2,");
  }

  @Test
  void shardsNeedAMergeJob() throws IOException {
    Path template = write("t.yml", MINIMAL);

    CliRun run =
        CliRun.run("generate", "swe-bench", "--template", template.toString(), "--shards", "2");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err())
        .isEqualTo(
            "imagefleet: template "
                + template
                + " has no job 'merge', which --shards above 1 needs\n");
  }

  @Test
  void aTemplateWithoutABuildJobIsRefused() throws IOException {
    Path template = write("t.yml", "on: {}\njobs:\n  other:\n    steps: []\n");

    CliRun run = CliRun.run("generate", "swt-bench", "--template", template.toString());

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).isEqualTo("imagefleet: template " + template + " has no job 'build'\n");
  }

  @Test
  void aCallOutputMustNameAJobOutput() throws IOException {
    Path template =
        write(
            "t.yml",
            MINIMAL.replace(
                "description: Built",
                "description: Built\n      failed:\n        description: Failed"));

    CliRun run = CliRun.run("generate", "swe-bench", "--template", template.toString());

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err())
        .isEqualTo(
            "imagefleet: template "
                + template
                + " workflow_call output 'failed' has no job output of that name in job 'build'\n");
  }

  @Test
  void aMissingTemplateFileIsInvalidInput() {
    Path missing = dir.resolve("nope.yml");

    CliRun run = CliRun.run("generate", "swe-bench", "--template", missing.toString());

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err())
        .isEqualTo(
            "imagefleet: --template "
                + missing
                + ": no such file; pass an existing workflow template\n");
  }

  @Test
  void theBuiltInTemplatesShipInTheJar() {
    for (Benchmark benchmark : Benchmark.withWorkflows()) {
      assertThat(Template.builtIn(benchmark).workflow().jobs())
          .containsKeys("mirror", "build", "merge");
    }
  }

  private Path write(String name, String text) throws IOException {
    return Files.writeString(dir.resolve(name), text);
  }
}
