package io.imagefleet.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.imagefleet.ImageMeter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where an image's seconds went, as the manifest records it: phases that add up. */
class PhaseTimesTest {
  private static final String FAKE =
      Path.of("src/test/resources/fake-docker/docker").toAbsolutePath().toString();
  private static final Duration HOUR = Duration.ofHours(1);

  @TempDir Path dir;
  private SchedulerRig rig;

  @BeforeEach
  void rig() throws Exception {
    rig = new SchedulerRig(dir);
    rig.clock = Ticker.SYSTEM;
  }

  @AfterEach
  void close() {
    rig.close();
  }

  @Test
  void aBuildxImagesPhasesAddUpWithItsExportAsThePush() throws Exception {
    ImageBuilder buildx =
        new BuildxImageBuilder(
            FAKE,
            Map.of(
                "FAKE_BUILDX_VERSION", "v0.20.0", "FAKE_BUILD_SLEEP", "1", "FAKE_PUSH_SLEEP", "1"),
            Optional.empty());

    List<JsonNode> records = run(buildx, Duration.ofSeconds(30), 2);

    assertThat(records).hasSize(2);
    for (JsonNode r : records) {
      assertThat(r.path("status").asText()).as(r.toString()).isEqualTo("built");
      assertAddsUp(r);
      assertThat(r.path("phases").path("build").asDouble()).isBetween(0.9, 2.5);
      assertThat(r.path("phases").path("push").asDouble()).isEqualTo(1.0);
      // The registry check is a phase of its own; against a local registry it may round to 0.00.
      assertThat(r.path("phases").fieldNames())
          .toIterable()
          .as(r.toString())
          .isSubsetOf("check", "build", "push", "verify", "other");
      assertThat(r.has("bytes")).as("buildx can't count bytes: absent, not zero").isFalse();
    }
  }

  @Test
  void anAbandonedBuilderMarksNothingAfterItsTimeoutAndARetryWaitIsItsOwnPhase() throws Exception {
    ImageBuilder late =
        new ImageBuilder() {
          @Override
          public Optional<String> build(ImageJob job, Path log, Duration timeout) {
            job.meter().mark(ImageMeter.Phase.BUILD);
            sleep(2500);
            job.meter().mark(ImageMeter.Phase.PUSH); // past the timeout and the grace
            sleep(200);
            return Optional.empty();
          }

          @Override
          public BuilderType type() {
            return BuilderTypes.ENGINE;
          }
        };

    List<JsonNode> records = run(late, Duration.ofSeconds(1), 1);

    JsonNode r = records.get(0);
    assertThat(r.path("status").asText()).isEqualTo("failed");
    assertThat(r.path("attempts").asInt()).isEqualTo(2);
    assertAddsUp(r);
    assertThat(r.path("phases").path("build").asDouble()).isBetween(2.0, 3.0);
    assertThat(r.path("phases").has("push")).as(r.toString()).isFalse();
    assertThat(r.path("phases").has("wait_retry")).as(r.toString()).isTrue();
  }

  private List<JsonNode> run(ImageBuilder builder, Duration timeout, int images) throws Exception {
    BuildSettings base = rig.settings(1, 10, timeout, 0);
    BuildSettings settings =
        new BuildSettings(
            base.dockerfile(),
            base.target(),
            base.buildArgs(),
            base.network(),
            base.push(),
            base.cacheMode(),
            base.workers(),
            base.batchSize(),
            base.imageTimeout(),
            base.deadline(),
            1,
            Duration.ofMillis(300),
            base.diskFloor(),
            base.force(),
            base.maxFailures(),
            base.output(),
            base.secrets(),
            List.of(io.imagefleet.registry.Platform.LINUX_AMD64),
            MissingPlatform.SKIP);
    java.nio.file.Files.createDirectories(settings.logs());
    BatchBuild batch =
        rig.batch(
            settings,
            builder,
            Optional.empty(),
            SchedulerRig.tuning(HOUR, HOUR, Duration.ofMillis(100)));
    SchedulerRig.finish(SchedulerRig.start(batch, rig.plan(images)));
    return rig.lines("manifest.jsonl");
  }

  /** The phases sum to the image's seconds, within their rounding. */
  static void assertAddsUp(JsonNode record) {
    double sum = 0;
    for (JsonNode seconds : (Iterable<JsonNode>) () -> record.path("phases").elements()) {
      assertThat(seconds.asDouble()).isPositive();
      sum += seconds.asDouble();
    }
    assertThat(sum)
        .as("phases of " + record)
        .isCloseTo(record.path("seconds").asDouble(), org.assertj.core.data.Offset.offset(0.06));
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
