package io.imagefleet.fleet;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;

/**
 * What an image is made of, as one sha256: the base's manifest digest, the sdist's sha256, the
 * Dockerfile's bytes, the target and the build args the Dockerfile uses. Two images with the same
 * key are the same image, so a new tag may point at the old one.
 */
final class ImageKey {
  private final String recipe;

  /**
   * The inputs every image of a run shares; {@code args} are all the build args passed (SDK_COMMIT
   * among them), of which only those the Dockerfile names count. The append builder writes
   * SDK_COMMIT into a label, so there it always counts.
   */
  ImageKey(
      String sdistSha256,
      byte[] dockerfile,
      String target,
      Map<String, String> args,
      boolean append) {
    String text = new String(dockerfile, StandardCharsets.UTF_8);
    StringBuilder r = new StringBuilder();
    r.append("sdist ").append(sdistSha256).append('\n');
    r.append("dockerfile ").append(sha256(dockerfile)).append('\n');
    r.append("target ").append(target == null ? "" : target).append('\n');
    new TreeMap<>(args)
        .forEach(
            (name, value) -> {
              if (used(text, name) || (append && name.equals("SDK_COMMIT"))) {
                r.append("arg ").append(name).append('=').append(value).append('\n');
              }
            });
    this.recipe = r.toString();
  }

  /** The key of the image built on the base with manifest digest {@code baseDigest}. */
  String of(String baseDigest) {
    return "sha256:"
        + sha256(("base " + baseDigest + '\n' + recipe).getBytes(StandardCharsets.UTF_8));
  }

  /** A build arg counts when the Dockerfile refers to it: {@code $NAME} or {@code ${NAME}}. */
  static boolean used(String dockerfile, String name) {
    return dockerfile.contains("$" + name) || dockerfile.contains("${" + name);
  }

  static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JVM has no SHA-256", e);
    }
  }
}
