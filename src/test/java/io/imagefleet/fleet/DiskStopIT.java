package io.imagefleet.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import io.imagefleet.cli.CliRun;
import io.imagefleet.testing.BuildRig;
import io.imagefleet.testing.SmallDiskDaemon;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A build on a daemon with little disk stops between batches, finishing what runs, and says so. */
class DiskStopIT {
  @TempDir Path dir;

  @Test
  void belowTheFreeSpaceFloorAfterPruningTheBuildStopsEarly() throws Exception {
    BuildRig rig = BuildRig.create(dir);
    Map<String, String> markers = new LinkedHashMap<>();
    List<String> ids = List.of("d-1", "d-2", "d-3", "d-4");
    ids.forEach(id -> markers.put(id, id));
    rig.pushBases(markers);
    Path dataset = Files.write(dir.resolve("ids.txt"), ids);
    Path output = dir.resolve("out");

    try (SmallDiskDaemon small = SmallDiskDaemon.start(1024)) {
      List<String> args = rig.buildArgs(dataset, output);
      args.addAll(
          List.of(
              "--workers",
              "2",
              "--batch-size",
              "2",
              "--min-free-gb",
              "5",
              "--keep-storage-gb",
              "0"));
      CliRun run = CliRun.run(small.environment(), args.toArray(String[]::new));

      assertThat(run.exitCode()).as(run.err()).isEqualTo(5);
      assertThat(run.err())
          .contains("below --min-free-gb; pruning build cache")
          .contains("after pruning; starting nothing new")
          .endsWith("imagefleet: stopped early: disk; rerun with --resume to build the rest\n");
      assertThat(BuildIT.records(output))
          .hasSize(2)
          .allSatisfy(r -> assertThat(r.path("status").asText()).isEqualTo("built"));
      assertThat(Files.readString(output.resolve("summary.md")))
          .contains("stopped early (disk)")
          .contains("| 4 | 2 | 0 | 0 | 0 | 2 | 0 |");
    }
  }
}
