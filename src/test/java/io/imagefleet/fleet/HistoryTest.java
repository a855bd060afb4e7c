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
