package io.imagefleet.preflight;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HelperImagesTest {
  @TempDir Path dir;

  @Test
  void findsTheContainerIdInMountinfo() throws Exception {
    String id = "4f1c2a".repeat(10) + "abcd";
    Path mountinfo =
        Files.writeString(
            dir.resolve("mountinfo"),
            "612 590 0:55 / / rw,relatime master:1 - overlay overlay rw\n"
                + "633 612 254:0 /var/lib/docker/containers/"
                + id
                + "/hostname /etc/hostname rw,relatime - ext4 /dev/vda rw\n");
    Path plain = Files.writeString(dir.resolve("plain"), "22 1 8:1 / / rw - ext4 /dev/sda1 rw\n");

    assertThat(HelperImages.ownContainerId(mountinfo)).contains(id);
    assertThat(HelperImages.ownContainerId(plain)).isEmpty();
    assertThat(HelperImages.ownContainerId(dir.resolve("absent"))).isEmpty();
  }
}
