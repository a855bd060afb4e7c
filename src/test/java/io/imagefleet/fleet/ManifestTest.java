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
  void aRetaggedRecordCarriesItsKeyReadsBackAndCountsAsDone() throws Exception {
    Path file = dir.resolve("manifest.jsonl");
    try (Manifest manifest = Manifest.open(file, false)) {
      manifest.append(record("r", ManifestRecord.Status.RETAGGED).keyed("sha256:k"));
    }

    assertThat(Files.readAllLines(file).get(0))
        .contains("\"status\":\"retagged\"")
        .endsWith("\"key\":\"sha256:k\"}");
    assertThat(Manifest.read(file).get("r").key()).isEqualTo("sha256:k");
    assertThat(Manifest.done(Manifest.read(file))).containsExactly("r");
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

  @Test
  void timingFieldsAreWrittenInTheReportFormatAndReadBack() throws Exception {
    Path file = dir.resolve("manifest.jsonl");
    ManifestRecord timed =
        record("t", ManifestRecord.Status.FAILED)
            .timed(
                "2026-11-27T04:01:02.345Z",
                "2026-11-27T04:01:09.000Z",
                3,
                List.of(
                    new ManifestRecord.Run("2026-11-27T04:01:02.345Z", 1.5, "timed out"),
                    new ManifestRecord.Run("2026-11-27T04:01:08.000Z", 1.0, null)));
    try (Manifest manifest = Manifest.open(file, false)) {
      manifest.append(timed);
      manifest.append(record("s", ManifestRecord.Status.SKIPPED).timed("a", "b", 0, List.of()));
    }

    List<String> lines = Files.readAllLines(file);
    assertThat(lines.get(0))
        .endsWith(
            "\"seconds\":2.5,\"started\":\"2026-11-27T04:01:02.345Z\",\"ended\":\"2026-11-27T04:01:09.000Z\","
                + "\"lane\":3,\"runs\":[{\"started\":\"2026-11-27T04:01:02.345Z\",\"seconds\":1.5,"
                + "\"error\":\"timed out\"},{\"started\":\"2026-11-27T04:01:08.000Z\",\"seconds\":1.0}]}");
    assertThat(lines.get(1)).doesNotContain("runs").contains("\"lane\":0");
    assertThat(Manifest.read(file).get("t")).isEqualTo(timed);
  }

  @Test
  void aManifestFromBeforeTheTimingFieldsStillReadsForResume() throws Exception {
    Path file =
        Files.writeString(
            dir.resolve("manifest.jsonl"),
            "{\"instance\":\"old\",\"base\":\"b\",\"tags\":[\"r/x:old\"],\"status\":\"built\","
                + "\"attempts\":1,\"seconds\":4.0}\n");

    ManifestRecord old = Manifest.read(file).get("old");

    assertThat(old.seconds()).isEqualTo(4.0);
    assertThat(old.lane()).isNull();
    assertThat(old.runs()).isNull();
    assertThat(Manifest.done(Manifest.read(file))).containsExactly("old");
  }

  private static ManifestRecord record(String instance, ManifestRecord.Status status) {
    return new ManifestRecord(
        instance, "base-" + instance, List.of("r/x:" + instance), null, status, 1, 2.5, null);
  }
}
