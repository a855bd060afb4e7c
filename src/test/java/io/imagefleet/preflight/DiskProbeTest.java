package io.imagefleet.preflight;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class DiskProbeTest {

  @Test
  void parsesPosixDf() {
    DiskSpace space =
        DiskProbe.parseDf(
            "/var/lib/docker",
            "Filesystem     1024-blocks    Used Available Capacity Mounted on\n/dev/loop3        999320      24    930484       1% /probe\n",
            "helper container (x)");

    assertThat(space)
        .isEqualTo(
            new DiskSpace(
                "/var/lib/docker",
                "/dev/loop3",
                930484L * 1024,
                999320L * 1024,
                "helper container (x)"));
  }
}
