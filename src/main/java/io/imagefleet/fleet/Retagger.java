package io.imagefleet.fleet;

import io.imagefleet.ImagefleetException;
import io.imagefleet.registry.ImageReference;
import io.imagefleet.registry.ManifestCopy;
import io.imagefleet.registry.RegistryClient;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Same content, same image: each image's key ({@link ImageKey}), and when an earlier run (its
 * manifest) made an image with that key in the same repository, that manifest under the new tag.
 */
final class Retagger {
  static final Retagger NONE = new Retagger(Optional.empty(), Map.of(), null);

  private final Optional<ImageKey> key;
  private final Map<String, History.Earlier> earlier;
  private final RegistryClient registry;
  private final Map<String, Optional<String>> baseDigests = new ConcurrentHashMap<>();

  Retagger(Optional<ImageKey> key, Map<String, History.Earlier> earlier, RegistryClient registry) {
    this.key = key;
    this.earlier = Map.copyOf(earlier);
    this.registry = registry;
  }

  /** The run's keys, over the sdist's sha256 (computed here, once) and the Dockerfile's bytes. */
  static Retagger of(
      BuildSettings settings, BuildInputs inputs, RegistryClient registry, boolean append) {
    if (settings.multiPlatform()) {
      // A key names one base digest; an index of several bases has none, so it is never retagged.
      return NONE;
    }
    Map<String, String> args = new LinkedHashMap<>(settings.buildArgs());
    args.put("SDK_COMMIT", inputs.sdkCommit());
    args.put("SDIST", inputs.sdist().file().getFileName().toString());
    try {
      byte[] dockerfile = Files.readAllBytes(settings.dockerfile());
      ImageKey key =
          new ImageKey(sha256(inputs.sdist().file()), dockerfile, settings.target(), args, append);
      return new Retagger(Optional.of(key), inputs.history().byKey(), registry);
    } catch (IOException e) {
      throw ImagefleetException.invalidInput(
          "cannot read the Dockerfile or the sdist to key the images: " + e.getMessage());
    }
  }

  /** Whether an earlier run's images can be retagged: keys are needed before the build. */
  boolean retags() {
    return !earlier.isEmpty();
  }

  /** The key of an image on the base with manifest digest {@code baseDigest}. */
  Optional<String> keyOf(String baseDigest) {
    return key.map(k -> k.of(baseDigest));
  }

  /** The image's key; empty (and said in its log) when its base's digest is unknown. */
  Optional<String> key(PlannedImage image, Path log) {
    if (key.isEmpty()) {
      return Optional.empty();
    }
    Optional<String> base = baseDigests.computeIfAbsent(image.baseImage(), b -> baseDigest(b, log));
    return base.map(d -> key.get().of(d));
  }

  /**
   * The earlier image with {@code imageKey} tagged as this one; empty when there is none in the
   * same repository, it is gone, or the copy failed (said in the log): then the image is built.
   */
  Optional<String> retag(PlannedImage image, String imageKey, Path log) {
    History.Earlier before = earlier.get(imageKey);
    ImageReference target = image.image();
    if (before == null
        || !before.image().registry().equals(target.registry())
        || !before.image().repository().equals(target.repository())) {
      return Optional.empty();
    }
    try {
      Optional<String> copied = new ManifestCopy(registry).copy(before.digest(), target);
      BuildLog.append(
          log,
          copied.isPresent()
              ? "=== imagefleet: same inputs as %s: retagged %s ===\n"
                  .formatted(before.image(), before.digest())
              : "=== imagefleet: %s is gone from the registry; building ===\n"
                  .formatted(before.digest()));
      return copied;
    } catch (ImagefleetException e) {
      BuildLog.append(log, "=== imagefleet: retag failed, building: " + e.getMessage() + " ===\n");
      return Optional.empty();
    }
  }

  /**
   * The manifest digest of a base: the one it is pinned to, else what its registry serves for its
   * tag; empty when the registry has none. Throws when the registry can't be asked.
   */
  static Optional<String> digestOf(String base, RegistryClient registry) {
    int at = base.indexOf("@sha256:");
    if (at >= 0) {
      return Optional.of(base.substring(at + 1));
    }
    return registry.manifestDigest(ImageReference.parse(base)).filter(d -> !d.isEmpty());
  }

  private Optional<String> baseDigest(String base, Path log) {
    try {
      Optional<String> digest = digestOf(base, registry);
      if (digest.isEmpty()) {
        BuildLog.append(log, "=== imagefleet: no digest for base " + base + "; not keyed ===\n");
      }
      return digest;
    } catch (ImagefleetException e) {
      BuildLog.append(
          log, "=== imagefleet: base " + base + " not keyed: " + e.getMessage() + " ===\n");
      return Optional.empty();
    }
  }

  static String sha256(Path file) throws IOException {
    try (InputStream in =
        new DigestInputStream(Files.newInputStream(file), MessageDigest.getInstance("SHA-256"))) {
      in.transferTo(java.io.OutputStream.nullOutputStream());
      return HexFormat.of().formatHex(((DigestInputStream) in).getMessageDigest().digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JVM has no SHA-256", e);
    }
  }
}
