package io.imagefleet.fleet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.imagefleet.ImagefleetException;
import io.imagefleet.registry.ImageReference;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HistoryTest {
  @TempDir Path dir;

  @Test
  void imagesThatTookLongestStartFirstAndUnknownOnesKeepTheirOrderAfterThem() throws Exception {
    Path manifest =
        Files.writeString(
            dir.resolve("manifest.jsonl"),
            line("b", "built", 10)
                + line("d", "failed", 300)
                + line("c", "built", 10)
                + line("e", "skipped", 900)
                + line("a", "built", 40)
                + "{\"instance\":\"torn");

    List<PlannedImage> order =
        History.read(manifest, "--history", true).slowestFirst(plan("a", "b", "c", "d", "e", "f"));

    assertThat(order.stream().map(PlannedImage::instance))
        .containsExactly("d", "a", "b", "c", "e", "f");
  }

  @Test
  void aNamedHistoryThatIsMissingIsBadInputAndResumeWithoutOneKeepsTheOrder() {
    Path missing = dir.resolve("nope.jsonl");

    assertThatThrownBy(() -> History.read(missing, "--history", true))
        .isInstanceOf(ImagefleetException.class)
        .hasMessage(
            "--history " + missing + ": no such file; pass the manifest.jsonl of an earlier run");
    assertThat(History.read(missing, "--resume", false).slowestFirst(plan("b", "a")))
        .extracting(PlannedImage::instance)
        .containsExactly("b", "a");
  }

  @Test
  void earlierImagesAreFoundByKeyWhenBuiltOrRetaggedWithADigest() throws Exception {
    String d1 = "sha256:" + "1".repeat(64);
    String d2 = "sha256:" + "2".repeat(64);
    Path manifest =
        Files.writeString(
            dir.resolve("manifest.jsonl"),
            keyed("a", "built", d1, "k1")
                + keyed("b", "retagged", d2, "k2")
                + keyed("c", "skipped", d1, "k3")
                + keyed("d", "failed", null, "k4")
                + "{\"instance\":\"e\",\"status\":\"built\",\"digest\":\""
                + d1
                + "\",\"tags\":[\"127.0.0.1:5000/fleet:e\"],\"attempts\":1,\"seconds\":1}\n");

    var byKey = History.read(manifest, "--history", true).byKey();

    assertThat(byKey)
        .containsOnlyKeys("k1", "k2")
        .containsEntry(
            "k1", new History.Earlier(d1, ImageReference.parse("127.0.0.1:5000/fleet:a")))
        .containsEntry(
            "k2", new History.Earlier(d2, ImageReference.parse("127.0.0.1:5000/fleet:b")));
    assertThat(History.none().byKey()).isEmpty();
  }

  private static String keyed(String id, String status, String digest, String key) {
    return "{\"instance\":\""
        + id
        + "\",\"base\":\"base:1\",\"tags\":[\"127.0.0.1:5000/fleet:"
        + id
        + "\"],"
        + (digest == null ? "" : "\"digest\":\"" + digest + "\",")
        + "\"status\":\""
        + status
        + "\",\"attempts\":1,\"seconds\":1.0,\"key\":\""
        + key
        + "\"}\n";
  }

  private static String line(String id, String status, double seconds) {
    return "{\"instance\":\""
        + id
        + "\",\"base\":\"x\",\"tags\":[],\"status\":\""
        + status
        + "\",\"attempts\":1,\"seconds\":"
        + seconds
        + "}\n";
  }

  private static List<PlannedImage> plan(String... ids) {
    return java.util.Arrays.stream(ids)
        .map(id -> new PlannedImage(id, "base", ImageReference.parse("127.0.0.1:5000/x:" + id)))
        .toList();
  }
}
