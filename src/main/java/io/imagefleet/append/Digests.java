package io.imagefleet.append;

import java.util.HexFormat;

/** Content digests as the registry writes them: {@code sha256:<hex>}. */
final class Digests {
  private Digests() {}

  static String sha256(byte[] bytes) {
    return "sha256:" + HexFormat.of().formatHex(LayerBuilder.sha256().digest(bytes));
  }
}
