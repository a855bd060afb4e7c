package io.imagefleet.build;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.imagefleet.testing.BuildRig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Memory stays flat: 5,000 instances run through the whole loop (registry check, build attempt,
 * manifest, summary) in a JVM capped at 256 MiB. Their bases don't exist, so each build fails fast.
 */
class FiveThousandIT {
  @TempDir Path dir;

  @Test
  void fiveThousandInstancesRunIn256MiB() throws Exception {
    BuildRig rig = BuildRig.create(dir);
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 5000; i++) {
      ids.add(String.format("owner__repo-%05d", i));
    }
    Path dataset = Files.write(dir.resolve("ids.txt"), ids);
    Path output = dir.resolve("out");
    List<String> command =
        new ArrayList<>(
            List.of(
                "java",
                "-Xmx256m",
                "-XX:+ExitOnOutOfMemoryError",
                "-jar",
                System.getProperty("imagefleet.jar", "target/imagefleet.jar")));
    command.addAll(rig.buildArgs(dataset, output));
    command.addAll(
        List.of(
            "--workers",
            "8",
            "--batch-size",
            "500",
            "--min-free-gb",
            "0",
            "--max-failures",
            "5000"));
    Process process =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("console.log").toFile())
            .start();

    assertThat(process.waitFor(15, TimeUnit.MINUTES)).isTrue();

    String console = Files.readString(dir.resolve("console.log"));
    assertThat(process.exitValue())
        .as(console.substring(Math.max(0, console.length() - 2000)))
        .isZero();
    assertThat(Files.readAllLines(output.resolve("manifest.jsonl"))).hasSize(5000);
    var summary = new ObjectMapper().readTree(output.resolve("summary.json").toFile());
    assertThat(summary.path("failed").asInt()).isEqualTo(5000);
    assertThat(summary.path("planned").asInt()).isEqualTo(5000);
    assertThat(console).doesNotContain("OutOfMemoryError").contains("[5000/5000]");
  }
}
