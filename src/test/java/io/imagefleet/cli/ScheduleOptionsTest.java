package io.imagefleet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.imagefleet.fleet.PlannedImage;
import io.imagefleet.registry.ImageReference;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ScheduleOptionsTest {
  @TempDir Path dir;

  @Test
  void resumeOrdersByTheManifestItReadsUnlessHistoryNamesAnother() throws Exception {
    Path manifest =
        Files.writeString(
            dir.resolve("manifest.jsonl"),
            "{\"instance\":\"a\",\"status\":\"failed\",\"attempts\":1,\"seconds\":1.0}\n"
                + "{\"instance\":\"c\",\"status\":\"failed\",\"attempts\":1,\"seconds\":9.0}\n");
    Path other =
        Files.writeString(
            dir.resolve("other.jsonl"),
            "{\"instance\":\"b\",\"status\":\"built\",\"attempts\":1,\"seconds\":20.0}\n");
    List<PlannedImage> plan = List.of(image("a"), image("b"), image("c"));
    ScheduleOptions options = new ScheduleOptions();

    assertThat(order(options.history(manifest).slowestFirst(plan))).containsExactly("a", "b", "c");
    options.resume = true;
    assertThat(order(options.history(manifest).slowestFirst(plan))).containsExactly("c", "a", "b");
    options.history = other;
    assertThat(order(options.history(manifest).slowestFirst(plan))).containsExactly("b", "a", "c");
  }

  private static List<String> order(List<PlannedImage> plan) {
    return plan.stream().map(PlannedImage::instance).toList();
  }

  private static PlannedImage image(String id) {
    return new PlannedImage(id, "base", ImageReference.parse("127.0.0.1:5000/x:" + id));
  }
}
