package io.imagefleet.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ImageKeyTest {
  private static final String SDIST = "a".repeat(64);
  private static final String OTHER_SDIST = "a".repeat(63) + "b";
  private static final String BASE = "sha256:" + "1".repeat(64);
  private static final String DOCKERFILE =
      "ARG BASE_IMAGE\nFROM ${BASE_IMAGE}\nARG SDIST\nCOPY $SDIST /tmp/\nRUN pip install /tmp/$SDIST\n";

  @Test
  void theSameInputsGiveTheSameKey() {
    String first = key(DOCKERFILE, "", Map.of("SDIST", "sdk.tar.gz"), false).of(BASE);
    String second = key(DOCKERFILE, "", Map.of("SDIST", "sdk.tar.gz"), false).of(BASE);

    assertThat(first).isEqualTo(second).startsWith("sha256:").hasSize(71);
  }

  @Test
  void aChangedSdistByteBaseDigestDockerfileByteTargetOrUsedArgChangesTheKey() {
    String key = key(DOCKERFILE, "", Map.of("SDIST", "sdk.tar.gz"), false).of(BASE);

    assertThat(
            new ImageKey(OTHER_SDIST, bytes(DOCKERFILE), "", Map.of("SDIST", "sdk.tar.gz"), false)
                .of(BASE))
        .isNotEqualTo(key);
    assertThat(key(DOCKERFILE, "", Map.of("SDIST", "sdk.tar.gz"), false).of(BASE + "2"))
        .isNotEqualTo(key);
    assertThat(key(DOCKERFILE + " ", "", Map.of("SDIST", "sdk.tar.gz"), false).of(BASE))
        .isNotEqualTo(key);
    assertThat(key(DOCKERFILE, "agent", Map.of("SDIST", "sdk.tar.gz"), false).of(BASE))
        .isNotEqualTo(key);
    assertThat(key(DOCKERFILE, "", Map.of("SDIST", "sdk-2.tar.gz"), false).of(BASE))
        .isNotEqualTo(key);
  }

  @Test
  void anUnusedArgAndAnUnusedSdkCommitLeaveTheKeyAlone() {
    String key = key(DOCKERFILE, "", Map.of("SDIST", "sdk.tar.gz"), false).of(BASE);

    assertThat(
            key(
                    DOCKERFILE,
                    "",
                    Map.of("SDIST", "sdk.tar.gz", "SDK_COMMIT", "b".repeat(40), "UNUSED", "x"),
                    false)
                .of(BASE))
        .isEqualTo(key);
  }

  @Test
  void sdkCommitCountsWhenTheDockerfileUsesItOrTheAppendBuilderLabelsIt() {
    String used = DOCKERFILE + "LABEL revision=${SDK_COMMIT}\n";
    Map<String, String> a = Map.of("SDK_COMMIT", "a".repeat(40));
    Map<String, String> b = Map.of("SDK_COMMIT", "b".repeat(40));

    assertThat(key(used, "", a, false).of(BASE)).isNotEqualTo(key(used, "", b, false).of(BASE));
    assertThat(key(DOCKERFILE, "", a, true).of(BASE))
        .isNotEqualTo(key(DOCKERFILE, "", b, true).of(BASE));
    assertThat(key(DOCKERFILE, "", a, false).of(BASE))
        .isEqualTo(key(DOCKERFILE, "", b, false).of(BASE));
  }

  @Test
  void aNameCountsAsUsedWithADollarOrADollarBrace() {
    assertThat(ImageKey.used("RUN echo $PIP_INDEX", "PIP_INDEX")).isTrue();
    assertThat(ImageKey.used("RUN echo ${PIP_INDEX:-x}", "PIP_INDEX")).isTrue();
    assertThat(ImageKey.used("ARG PIP_INDEX\nRUN echo PIP_INDEX", "PIP_INDEX")).isFalse();
  }

  private static ImageKey key(
      String dockerfile, String target, Map<String, String> args, boolean append) {
    return new ImageKey(SDIST, bytes(dockerfile), target, args, append);
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
