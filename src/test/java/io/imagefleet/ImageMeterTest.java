package io.imagefleet;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ImageMeterTest {
  private final AtomicLong now = new AtomicLong();

  private void pass(double seconds) {
    now.addAndGet((long) (seconds * 1e9));
  }

  @Test
  void phasesAddUpToTheImagesSecondsWithTheRestAsOther() {
    ImageMeter meter = ImageMeter.start(now::get, Set.of());
    pass(0.5);
    meter.mark(ImageMeter.Phase.PULL);
    pass(2);
    meter.mark(ImageMeter.Phase.BUILD);
    pass(10);
    meter.carve(ImageMeter.Phase.WAIT_RATE, 3_000_000_000L);
    meter.mark(ImageMeter.Phase.OTHER);
    pass(1);

    Map<String, Double> phases = meter.phases(13.5);

    assertThat(phases)
        .containsExactly(
            Map.entry("pull", 2.0),
            Map.entry("build", 7.0),
            Map.entry("wait_rate", 3.0),
            Map.entry("other", 1.5));
  }

  @Test
  void anEnvViewMarksEverythingAsTheEnvImageAndADetachedViewNothing() {
    ImageMeter meter = ImageMeter.start(now::get, Set.of(ImageMeter.Bytes.STREAMED));
    ImageMeter attempt = meter.attempt();
    ImageMeter env = attempt.as(ImageMeter.Phase.ENV);
    env.mark(ImageMeter.Phase.BUILD);
    pass(4);
    env.mark(ImageMeter.Phase.OTHER);
    attempt.mark(ImageMeter.Phase.PUSH);
    pass(1);
    attempt.add(ImageMeter.Bytes.STREAMED, 100);
    attempt.add(ImageMeter.Bytes.PULLED, 7); // not a kind this builder counts
    attempt.detach();
    attempt.mark(ImageMeter.Phase.BUILD); // an abandoned builder, marking late
    attempt.add(ImageMeter.Bytes.STREAMED, 900);
    meter.mark(ImageMeter.Phase.OTHER);
    pass(2);

    assertThat(meter.phases(7))
        .containsExactly(Map.entry("env", 4.0), Map.entry("push", 1.0), Map.entry("other", 2.0));
    assertThat(meter.bytes()).containsExactly(Map.entry("streamed", 100L));
  }

  @Test
  void aThreadReportsToTheMeterBoundToItUntilTheBindingCloses() {
    ImageMeter meter = ImageMeter.start(now::get, Set.of(ImageMeter.Bytes.MOUNTED));
    try (ImageMeter.Binding bound = meter.bind()) {
      ImageMeter.onThisThread().orElseThrow().add(ImageMeter.Bytes.MOUNTED, 5);
    }
    assertThat(ImageMeter.onThisThread()).isEmpty();
    assertThat(meter.bytes()).containsExactly(Map.entry("mounted", 5L));
  }
}
