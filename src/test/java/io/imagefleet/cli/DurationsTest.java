package io.imagefleet.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.imagefleet.ImagefleetException;
import io.imagefleet.InvalidInput;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DurationsTest {
  @ParameterizedTest
  @CsvSource({"90, PT1M30S", "90s, PT1M30S", "33m, PT33M", "5h30m, PT5H30M", "8784h, PT8784H"})
  void readsDurationsAsPeopleWriteThem(String text, String expected) {
    assertThat(Durations.parse("--image-timeout", text)).isEqualTo(Duration.parse(expected));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "9999999999999999h",
        "99999999999999999999s",
        "9223372036854775807",
        "2562047788015215h1h",
        "8785h",
        "527041m"
      })
  void overflowAndAbsurdValuesAreInvalidInputNamingTheOption(String text) {
    assertThatThrownBy(() -> Durations.parse("--image-timeout", text))
        .isInstanceOf(ImagefleetException.class)
        .hasMessage("--image-timeout must be at most 366 days (8784h), got '" + text + "'")
        .isInstanceOf(InvalidInput.class);
  }

  @Test
  void anUnreadableValueIsQuotedOnOneLine() {
    assertThatThrownBy(() -> Durations.parse("--deadline", "1h\n::error::x"))
        .hasMessage(
            "--deadline must be a duration such as 90s, 33m or 5h30m, got '1h\\n::error::x'");
  }

  @Test
  void buildExitsTwoOnAnOverflowingImageTimeout(@TempDir Path dir) throws Exception {
    Path ids = Files.writeString(dir.resolve("ids.txt"), "a-1\n");

    CliRun run =
        CliRun.run(
            Map.of("DOCKER_HOST", "unix:///nonexistent.sock"),
            "build",
            "--image",
            "127.0.0.1:5000/ns/agent",
            "--output",
            dir.resolve("out").toString(),
            "--sdk",
            dir.toString(),
            "--sdk-commit",
            "0123456789abcdef",
            "--dataset",
            ids.toString(),
            "--image-timeout",
            "9999999999999999h");

    assertThat(run.exitCode()).as(run.err()).isEqualTo(2);
    assertThat(run.err())
        .isEqualTo(
            "imagefleet: --image-timeout must be at most 366 days (8784h), got"
                + " '9999999999999999h'\n");
  }
}
