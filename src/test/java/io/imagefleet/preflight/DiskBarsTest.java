package io.imagefleet.preflight;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class DiskBarsTest {
  private static final long GIB = 1L << 30;

  @Test
  void oneBarPerFilesystemWithUsedReclaimedAndFreeCells() {
    DiskSpace rootBefore =
        new DiskSpace("/var/lib/docker", "/dev/sda1", 20 * GIB, 100 * GIB, "direct");
    DiskSpace rootAfter =
        new DiskSpace("/var/lib/docker", "/dev/sda1", 30 * GIB, 100 * GIB, "direct");
    DiskSpace work = new DiskSpace("/w", "/dev/sdb|<x>", 5 * GIB, 10 * GIB, "direct");
    List<Measurement> before =
        List.of(
            Measurement.of("data root", rootBefore),
            Measurement.of("--path /ws", rootBefore),
            Measurement.of("--path /w|<b>", work),
            Measurement.failed("--path /gone", "/gone", "no such directory"));
    List<Measurement> after =
        List.of(
            Measurement.of("data root", rootAfter),
            Measurement.of("--path /ws", rootAfter),
            Measurement.of("--path /w|<b>", work),
            Measurement.failed("--path /gone", "/gone", "no such directory"));

    String md = DiskBars.markdown(before, after);

    assertThat(md)
        .isEqualTo(
            "| filesystem | █ used, ▒ reclaimed, ░ free before pruning |\n|---|---|\n"
                + "| data root, --path /ws (/dev/sda1) | `"
                + "█".repeat(28)
                + "▒".repeat(4)
                + "░".repeat(8)
                + "` 70.0 GiB used, 10.0 GiB reclaimed, 30.0 GiB free of 100.0 GiB |\n"
                + "| --path /w&#124;&lt;b&gt; (/dev/sdb&#124;&lt;x&gt;) | `"
                + "█".repeat(20)
                + "░".repeat(20)
                + "` 5.0 GiB used, 0.0 GiB reclaimed, 5.0 GiB free of 10.0 GiB |\n\n");
    assertThat(DiskBars.bar(rootBefore, Optional.empty()))
        .startsWith("`" + "█".repeat(32) + "░".repeat(8) + "`");
  }
}
