package io.imagefleet.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.imagefleet.cli.CliRun;
import io.imagefleet.testing.BuildRig;
import io.imagefleet.testing.SmallDiskDaemon;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * On a 2 GiB data root with a 1 GiB floor, images that each grow the disk by ~0.5 GiB while they
 * build: four at once would cross the floor (and nearly fill the disk), which the old check between
 * batches only noticed afterwards, stopping the build. The scheduler holds images back instead.
 */
class DoomedImageIT {
  private static final String GROWING =
      """
      ARG BASE_IMAGE
      FROM ${BASE_IMAGE}
      ARG SDIST
      COPY ${SDIST} /opt/agent/
      RUN head -c 250000000 /dev/zero > /opt/agent/blob
      """;

  @TempDir Path dir;

  @Test
  void imagesThatWouldNotFitAboveTheFloorWaitAndAllAreBuiltWithoutEnospc() throws Exception {
    BuildRig rig = BuildRig.create(dir);
    Map<String, String> markers = new LinkedHashMap<>();
    List<String> ids = new ArrayList<>();
    for (int i = 1; i <= 8; i++) {
      ids.add("g-" + i);
      markers.put("g-" + i, "ok");
    }
    rig.pushBases(markers);
    Files.writeString(rig.dockerfile, GROWING);
    Path dataset = Files.write(dir.resolve("ids.txt"), ids);
    Path output = dir.resolve("out");

    try (SmallDiskDaemon small = SmallDiskDaemon.start(2048)) {
      List<String> args = rig.buildArgs(dataset, output);
      args.addAll(
          List.of(
              "--no-push",
              "--workers",
              "4",
              "--batch-size",
              "1",
              "--min-free-gb",
              "1",
              "--keep-storage-gb",
              "0"));
      CliRun run = CliRun.run(small.environment(), args.toArray(String[]::new));

      assertThat(run.exitCode()).as(run.err()).isZero();
      List<JsonNode> records = BuildIT.records(output);
      assertThat(records)
          .hasSize(8)
          .allSatisfy(
              r -> assertThat(r.path("status").asText()).as(r.toString()).isEqualTo("built"));
      assertThat(run.err()).doesNotContainIgnoringCase("no space left");
      assertThat(records.stream().mapToInt(r -> r.path("lane").asInt()).max().orElseThrow())
          .as("lanes used: the rule kept some of the 4 workers idle")
          .isLessThan(3);
      List<JsonNode> disk = new ArrayList<>();
      for (String line : Files.readAllLines(output.resolve("disk.jsonl"))) {
        disk.add(Manifest.JSON.readTree(line));
      }
      assertThat(disk).isNotEmpty();
      assertThat(disk)
          .as("free space never measured under the floor")
          .allSatisfy(
              d ->
                  assertThat(d.path("free_bytes").asLong())
                      .isGreaterThanOrEqualTo(d.path("floor_bytes").asLong()));
    }
  }
}
