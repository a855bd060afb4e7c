package io.imagefleet.fleet;

import io.imagefleet.SafeFiles;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Final tags: {@code {sdk7}-{custom}[-{target}]}, where {@code custom} is the base image's last
 * path component (plus its tag when that is not {@code latest}). Tags are made valid for Docker;
 * one over 128 characters, or one that had to be changed, is shortened deterministically with a
 * hash of the original; two instances that would still share a tag get a hash of their id appended.
 */
public final class ImageTags {
  static final int MAX = 128;
  private static final Pattern INVALID = Pattern.compile("[^A-Za-z0-9_.-]");

  private ImageTags() {}

  /** Tag per instance id, in the order given. */
  public static Map<String, String> plan(
      String sdkCommit, String target, Map<String, String> baseByInstance) {
    Map<String, String> tags = new LinkedHashMap<>();
    Map<String, Integer> uses = new HashMap<>();
    baseByInstance.forEach(
        (instance, base) -> {
          String tag = tag(sdkCommit, target, base);
          tags.put(instance, tag);
          uses.merge(tag, 1, Integer::sum);
        });
    tags.replaceAll((instance, tag) -> uses.get(tag) > 1 ? disambiguate(tag, instance) : tag);
    return tags;
  }

  /** The tags of a run as a pattern, e.g. {@code ghcr.io/o/agent:0123456-{custom}-tests}. */
  public static String pattern(String repositoryName, String sdkCommit, String target) {
    return repositoryName
        + ":"
        + sdkCommit.substring(0, 7)
        + "-{custom}"
        + (target.isEmpty() ? "" : "-" + target);
  }

  static String tag(String sdkCommit, String target, String baseImage) {
    String raw =
        sdkCommit.substring(0, Math.min(7, sdkCommit.length()))
            + "-"
            + custom(baseImage)
            + (target == null || target.isEmpty() ? "" : "-" + target);
    String valid = INVALID.matcher(raw).replaceAll("-");
    if (valid.startsWith(".") || valid.startsWith("-")) {
      valid = "_" + valid.substring(1);
    }
    return valid.equals(raw) && raw.length() <= MAX ? raw : shorten(valid, raw);
  }

  /**
   * The tag of a phased build's env image: {@code env-<key12>-<custom>}, the custom part from the
   * base (so images on one base share it), cut to 128 characters (the key before it keeps it
   * unique).
   */
  static String envTag(String key12, String baseImage) {
    String valid = INVALID.matcher("env-" + key12 + "-" + custom(baseImage)).replaceAll("-");
    return valid.length() <= MAX ? valid : valid.substring(0, MAX);
  }

  /** The last path component of the repository, with the tag unless it is latest. */
  static String custom(String baseImage) {
    String withoutDigest = baseImage.split("@", 2)[0];
    int slash = withoutDigest.lastIndexOf('/');
    String last = withoutDigest.substring(slash + 1);
    int colon = last.indexOf(':');
    if (colon < 0) {
      return last;
    }
    String name = last.substring(0, colon);
    String tag = last.substring(colon + 1);
    return tag.equals("latest") ? name : name + "-" + tag;
  }

  private static String shorten(String valid, String raw) {
    String hash = sha256(raw).substring(0, 12);
    int keep = Math.min(valid.length(), MAX - hash.length() - 1);
    return valid.substring(0, keep) + "-" + hash;
  }

  private static String disambiguate(String tag, String instance) {
    String hash = sha256(instance).substring(0, 8);
    int keep = Math.min(tag.length(), MAX - hash.length() - 1);
    return tag.substring(0, keep) + "-" + hash;
  }

  static String sha256(String text) {
    return SafeFiles.sha256(text);
  }
}
