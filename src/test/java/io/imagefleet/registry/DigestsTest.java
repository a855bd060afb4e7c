package io.imagefleet.registry;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class DigestsTest {
  private static final byte[] BYTES = "manifest".getBytes(StandardCharsets.UTF_8);

  @Test
  void bytesAreCheckedAgainstASha512DigestToo() throws Exception {
    String sha512 =
        "sha512:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-512").digest(BYTES));
    assertThatCode(() -> Digests.verify(BYTES, sha512, "pull manifest")).doesNotThrowAnyException();
    String other = "sha512:" + "0".repeat(128);
    assertThatThrownBy(() -> Digests.verify(BYTES, other, "pull manifest"))
        .isInstanceOf(RegistryFailure.class)
        .hasMessageContaining("pull manifest failed: the registry sent bytes whose digest is");
    assertThatThrownBy(() -> Digests.verify(BYTES, "sha256:" + "0".repeat(64), "pull manifest"))
        .isInstanceOf(RegistryFailure.class);
    assertThatCode(() -> Digests.verify(BYTES, Digests.sha256(BYTES), "pull manifest"))
        .doesNotThrowAnyException();
  }
}
