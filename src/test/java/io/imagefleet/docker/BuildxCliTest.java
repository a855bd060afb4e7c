package io.imagefleet.docker;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class BuildxCliTest {

  @ParameterizedTest
  @CsvSource({
    "'github.com/docker/buildx v0.11.2 9872040', --keep-storage",
    "'github.com/docker/buildx v0.17.1 257815a', --keep-storage",
    "'github.com/docker/buildx v0.18.0 abc', --reserved-space",
    "'github.com/docker/buildx v0.24.0 abc', --reserved-space",
    "'github.com/docker/buildx v1.0.0 abc', --reserved-space",
    "'github.com/docker/buildx 0.0.0+unknown', --reserved-space"
  })
  void choosesThePruneFlagByVersion(String version, String flag) {
    assertThat(BuildxCli.keepFlag(version)).isEqualTo(flag);
  }

  @ParameterizedTest
  @CsvSource({
    "0B, 0",
    "512B, 512",
    "12.5kB, 12500",
    "1.2GB, 1200000000",
    "3GiB, 3221225472",
    "  7.07MB , 7070000"
  })
  void parsesSizesAsBuildxPrintsThem(String text, long bytes) {
    assertThat(BuildxCli.parseSize(text)).isEqualTo(bytes);
  }

  @org.junit.jupiter.api.Test
  void platformsAreEveryNodesWithoutTheMarks() {
    String inspect =
        """
        Name:          multi
        Driver:        docker-container
        Last Activity: 2026-12-06 10:00:00 +0000 UTC

        Nodes:
        Name:      multi0
        Endpoint:  unix:///var/run/docker.sock
        Status:    running
        Platforms: linux/amd64*, linux/amd64/v2, linux/386

        Name:      multi1
        Endpoint:  tcp://arm-box:1234
        Status:    running
        Platforms: linux/arm64*, linux/arm/v7, linux/amd64
        """;
    assertThat(BuildxCli.platformLines(inspect))
        .containsExactly(
            "linux/amd64", "linux/amd64/v2", "linux/386", "linux/arm64", "linux/arm/v7");
    assertThat(BuildxCli.platformLines("Name: x\nDriver: docker\n")).isEmpty();
  }
}
