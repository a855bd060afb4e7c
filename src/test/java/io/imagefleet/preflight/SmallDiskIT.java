package io.imagefleet.preflight;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.imagefleet.cli.CliRun;
import io.imagefleet.testing.SmallDiskDaemon;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** preflight against a daemon whose data root sits on a 1.5 GB loop filesystem. */
class SmallDiskIT {
  private static SmallDiskDaemon small;

  @TempDir Path dir;

  @BeforeAll
  static void start() throws Exception {
    small = SmallDiskDaemon.start(1536);
  }

  @AfterAll
  static void stop() throws Exception {
    if (small != null) {
      small.close();
    }
  }

  @Test
  void measuresTheDataRootsOwnFilesystemNotTheRootOne() throws Exception {
    Path json = dir.resolve("report.json");

    CliRun run =
        PreflightIT.preflight(
            small.environment(), "--no-prune", "--min-free-gb", "0", "--json", json.toString());

    assertThat(run.exitCode()).as(run.err()).isZero();
    JsonNode root = new ObjectMapper().readTree(json.toFile()).at("/before/0");
    assertThat(root.path("path").asText()).isEqualTo(small.dataRoot().toString());
    assertThat(root.path("filesystem").asText()).startsWith("/dev/loop");
    long total = root.path("totalBytes").asLong();
    assertThat(total).isBetween(1_000L << 20, 1_536L << 20);
    assertThat(root.path("freeBytes").asLong()).isBetween(1L, total);
    assertThat(total).isLessThan(Files.getFileStore(Path.of("/")).getTotalSpace() / 4);
  }

  @Test
  void aThresholdAboveTheFreeSpaceExitsThreeWithTheMessage() {
    CliRun run =
        PreflightIT.preflight(small.environment(), "--min-free-gb", "5", "--keep-storage-gb", "0");

    assertThat(run.exitCode()).isEqualTo(3);
    String last = run.err().lines().reduce((a, b) -> b).orElseThrow();
    assertThat(last)
        .matches(
            "imagefleet: need 5 GiB free on "
                + java.util.regex.Pattern.quote(small.dataRoot().toString())
                + " \\(filesystem /dev/loop\\d+\\), have 1\\.\\d GiB after reclaiming 0\\.0 GiB; raise the"
                + " runner size, lower --keep-storage-gb, or use --remove-toolchains");
  }

  @Test
  void aThresholdBelowTheFreeSpacePasses() {
    CliRun run = PreflightIT.preflight(small.environment(), "--min-free-gb", "1");

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.err()).contains("ok: 1.").contains("need 1 GiB");
  }
}
