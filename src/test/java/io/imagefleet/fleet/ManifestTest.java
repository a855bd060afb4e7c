package io.imagefleet.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ManifestTest {
  @TempDir Path dir;

  @Test
  void aResumedManifestDropsATornLineAndKnowsWhatIsDone() throws Exception {
    Path file = dir.resolve("manifest.jsonl");
    try (Manifest manifest = Manifest.open(file, false)) {
      manifest.append(record("a", ManifestRecord.Status.BUILT));
      manifest.append(record("b", ManifestRecord.Status.FAILED));
      manifest.append(record("c", ManifestRecord.Status.SKIPPED));
    }
    Files.writeString(file, "{\"instance\":\"d\",\"sta", java.nio.file.StandardOpenOption.APPEND);

    assertThat(Manifest.done(Manifest.read(file))).containsExactlyInAnyOrder("a", "c");
    try (Manifest manifest = Manifest.open(file, true)) {
      manifest.append(record("b", ManifestRecord.Status.BUILT));
    }

    List<String> lines = Files.readAllLines(file);
    assertThat(lines).hasSize(4);
    assertThat(lines.get(3))
        .isEqualTo(
            "{\"instance\":\"b\",\"base\":\"base-b\",\"tags\":[\"r/x:b\"],\"status\":\"built\",\"attempts\":1,\"seconds\":2.5}");
    assertThat(Manifest.done(Manifest.read(file))).containsExactlyInAnyOrder("a", "b", "c");
  }

  @Test
  void withoutResumeAnEarlierManifestIsReplaced() throws Exception {
    Path file =
        Files.writeString(
            dir.resolve("manifest.jsonl"), "{\"instance\":\"old\",\"status\":\"built\"}\n");

    try (Manifest manifest = Manifest.open(file, false)) {
      manifest.append(record("new", ManifestRecord.Status.SKIPPED));
    }

    assertThat(Manifest.read(file)).containsOnlyKeys("new");
  }

  private static ManifestRecord record(String instance, ManifestRecord.Status status) {
    return new ManifestRecord(
        instance, "base-" + instance, List.of("r/x:" + instance), null, status, 1, 2.5, null);
  }
}
