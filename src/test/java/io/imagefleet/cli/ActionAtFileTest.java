package io.imagefleet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Action inputs are data: picocli's @file expansion must not turn "@/path" into a file read. */
class ActionAtFileTest {
  @Test
  void anInputStartingWithAtIsNotAFileToRead(@TempDir Path dir) throws Exception {
    Path file = Files.writeString(dir.resolve("args"), "swe-bench\n");
    Path workflow = dir.resolve("wf.yml");

    CliRun run =
        CliRun.run(
            Map.of(
                "INPUT_COMMAND",
                "generate",
                "INPUT_BENCHMARK",
                "@" + file,
                "INPUT_OUTPUT",
                workflow.toString()),
            "action");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err())
        .isEqualTo(
            "imagefleet: Invalid value for positional parameter at index 0 (BENCHMARK): unknown"
                + " benchmark '@"
                + file
                + "'; use swe-bench or swt-bench (see 'imagefleet generate --help')\n");
    assertThat(workflow).doesNotExist();
  }
}
