package io.imagefleet.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import io.imagefleet.cli.CliRun;
import io.imagefleet.testing.BuildRig;
import io.imagefleet.testing.RegistryWire;
import io.imagefleet.testing.TestDocker;
import io.imagefleet.testing.TestRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** check against the real registry: 3 of 40 missing (exit 5), then built, then none (exit 0). */
class CheckIT {
  private static final RegistryWire REGISTRY = new RegistryWire(TestRegistry.HOST);

  @TempDir Path dir;

  @Test
  void findsTheThreeMissingOfFortyThenNoneOnceTheyAreBuilt() throws Exception {
    // given 40 instances whose images the registry has, except 3
    BuildRig rig = BuildRig.create(dir);
    List<String> ids = ids(40);
    Files.write(dir.resolve("ids.txt"), ids);
    List<String> missing = List.of(ids.get(4), ids.get(17), ids.get(33));
    String sdk7 = rig.commit().substring(0, 7);
    seed(rig, ids.stream().filter(id -> !missing.contains(id)).map(id -> sdk7 + "-bases-" + id));

    // when
    CliRun first = check(rig, dir.resolve("first"));

    // then
    assertThat(first.exitCode()).as(first.err()).isEqualTo(5);
    assertThat(first.out().lines())
        .containsExactlyElementsOf(
            missing.stream().map(id -> rig.image() + ":" + sdk7 + "-bases-" + id).toList());
    assertThat(first.err()).contains(": 40 expected, 37 present, 3 missing (");
    assertThat(Files.readAllLines(dir.resolve("first/check.jsonl")))
        .hasSize(40)
        .filteredOn(line -> line.contains("\"status\":\"missing\""))
        .hasSize(3);

    // when the missing three are built
    Map<String, String> markers = new LinkedHashMap<>();
    missing.forEach(id -> markers.put(id, "base " + id));
    rig.pushBases(markers);
    Files.write(dir.resolve("missing.txt"), missing);
    List<String> build = rig.buildArgs(dir.resolve("ids.txt"), dir.resolve("build"));
    build.addAll(List.of("--min-free-gb", "0", "--select", dir.resolve("missing.txt").toString()));
    CliRun built = CliRun.run(Map.of(), build.toArray(String[]::new));
    assertThat(built.exitCode()).as(built.err()).isZero();

    CliRun second = check(rig, dir.resolve("second"));

    // then nothing is missing
    assertThat(second.exitCode()).as(second.err()).isZero();
    assertThat(second.out()).isEmpty();
    assertThat(second.err()).contains(": 40 expected, 40 present, 0 missing (");
  }

  @Test
  void fiveHundredHeadsTakeWellUnderTenSeconds() throws Exception {
    BuildRig rig = BuildRig.create(dir);
    List<String> ids = ids(500);
    Files.write(dir.resolve("ids.txt"), ids);
    String sdk7 = rig.commit().substring(0, 7);
    seed(rig, ids.stream().map(id -> sdk7 + "-bases-" + id));

    long start = System.nanoTime();
    CliRun run = check(rig, dir.resolve("out"));
    double seconds = (System.nanoTime() - start) / 1e9;

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.err()).contains(": 500 expected, 500 present, 0 missing (");
    System.out.printf("CheckIT: 500 HEADs, check end to end %.2f s (%s)%n", seconds, run.err());
    assertThat(seconds).isLessThan(10);
  }

  private static List<String> ids(int n) {
    List<String> ids = new ArrayList<>();
    for (int i = 1; i <= n; i++) {
      ids.add(String.format("repo-issue-%03d", i));
    }
    return ids;
  }

  /** Pushes one tiny image as the agent repository's seed, then copies it to every tag. */
  private static void seed(BuildRig rig, java.util.stream.Stream<String> tags) throws Exception {
    String seed = rig.image() + ":seed";
    TestDocker.buildBusyboxImage(seed, "seed", Map.of());
    TestDocker.docker(Map.of(), "push", "-q", seed);
    TestDocker.docker(Map.of(), "rmi", seed);
    String name = rig.namespace + "/agent";
    RegistryWire.Manifest manifest = REGISTRY.manifest(name, "seed");
    for (String tag : (Iterable<String>) tags::iterator) {
      REGISTRY.putManifest(name, tag, manifest);
    }
  }

  private static CliRun check(BuildRig rig, Path output) {
    return CliRun.run(
        Map.of(),
        "check",
        "--benchmark",
        "custom",
        "--dataset",
        rig.dir.resolve("ids.txt").toString(),
        "--base-image-template",
        rig.baseTemplate(),
        "--sdk",
        rig.sdk.toString(),
        "--image",
        rig.image(),
        "--output",
        output.toString());
  }
}
