package io.imagefleet.mirror;

import io.imagefleet.ImagefleetException;
import io.imagefleet.registry.BaseName;
import io.imagefleet.registry.Digests;
import io.imagefleet.registry.ImageReference;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The tag a base gets in a mirror repository: its last path component, then {@code -TAG} unless the
 * tag is {@code latest}, then {@code -} and 12 hex digits of a pinned digest. A tag that would be
 * over 128 characters keeps 115 and ends in {@code -} and 12 hex digits of its full name. So {@code
 * docker.io/swebench/sweb.eval.x86_64.django_1776_django-11099:latest} is {@code
 * REPO:sweb.eval.x86_64.django_1776_django-11099}, and {@code --base-image-template
 * REPO:sweb.eval.x86_64.{id}} names the same images as {@code --base-mirror REPO}.
 */
public final class MirrorTags {
  static final int MAX = 128;

  private MirrorTags() {}

  /** The tag {@code base} has in any mirror repository. */
  public static String tag(String base) {
    BaseName name = BaseName.parse(base);
    ImageReference image = name.image();
    String repository = image.repository();
    StringBuilder tag = new StringBuilder(repository.substring(repository.lastIndexOf('/') + 1));
    if (!image.tag().equals("latest")) {
      tag.append('-').append(image.tag());
    }
    if (name.reference().startsWith("sha256:")) {
      tag.append('-').append(name.reference(), 7, 19);
    }
    if (tag.length() > MAX) {
      String hash = Digests.sha256(name.fullName().getBytes(StandardCharsets.UTF_8)).substring(7);
      tag.setLength(MAX - 13);
      tag.append('-').append(hash, 0, 12);
    }
    return tag.toString();
  }

  /** {@code base} as it is named in the mirror {@code repository}. */
  public static String reference(ImageReference repository, String base) {
    return repository.withTag(tag(base));
  }

  /**
   * Each distinct base with its mirror tag; exit 2 when two bases would share one, so neither
   * overwrites the other.
   */
  public static Map<String, String> tags(Collection<String> bases, String option) {
    Map<String, String> tagByBase = new LinkedHashMap<>();
    Map<String, String> baseByTag = new LinkedHashMap<>();
    for (String base : bases) {
      if (tagByBase.containsKey(base)) {
        continue;
      }
      String tag = tag(base);
      String other = baseByTag.putIfAbsent(tag, base);
      if (other != null && sameImage(other, base)) {
        continue; // one image spelt two ways (python:3, docker.io/library/python:3): copied once
      }
      if (other != null) {
        throw ImagefleetException.invalidInput(
            option
                + ": bases "
                + other
                + " and "
                + base
                + " both mirror to tag "
                + tag
                + "; mirror them into separate repositories (one run each, with --instance-ids)");
      }
      tagByBase.put(base, tag);
    }
    return tagByBase;
  }

  private static boolean sameImage(String a, String b) {
    return BaseName.parse(a).fullName().equals(BaseName.parse(b).fullName());
  }
}
