package io.imagefleet.registry;

import io.imagefleet.InputText;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * Content digests as registries write them. A digest a registry or a file sent is data: it goes
 * into a URL only after {@link #require} has checked its form.
 */
public final class Digests {
  /** The algorithms the OCI image spec registers, each in its own form. */
  public static final Pattern DIGEST = Pattern.compile("sha256:[0-9a-f]{64}|sha512:[0-9a-f]{128}");

  private Digests() {}

  public static String sha256(byte[] bytes) {
    return hash("SHA-256", "sha256:", bytes);
  }

  private static String hash(String algorithm, String prefix, byte[] bytes) {
    try {
      return prefix + HexFormat.of().formatHex(MessageDigest.getInstance(algorithm).digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  public static boolean valid(String digest) {
    return digest != null && DIGEST.matcher(digest).matches();
  }

  /** {@code digest}, when it is one; else a failure naming where it came from. */
  public static String require(String digest, String from) {
    if (!valid(digest)) {
      throw RegistryFailure.failed(
          from + " named " + InputText.quote(String.valueOf(digest)) + ", which is no digest");
    }
    return digest;
  }

  /**
   * Fails unless {@code bytes} are what {@code digest} names (sha256 or sha512); a reference that
   * is no digest (a tag) names nothing to check.
   */
  public static void verify(byte[] bytes, String digest, String action) {
    String actual =
        digest.startsWith("sha512:") ? hash("SHA-512", "sha512:", bytes) : sha256(bytes);
    if ((digest.startsWith("sha256:") || digest.startsWith("sha512:")) && !digest.equals(actual)) {
      throw RegistryFailure.failed(
          action + " failed: the registry sent bytes whose digest is " + actual);
    }
  }
}
