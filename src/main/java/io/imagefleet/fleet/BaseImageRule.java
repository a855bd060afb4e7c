package io.imagefleet.fleet;

import io.imagefleet.Benchmark;
import io.imagefleet.ImagefleetException;
import io.imagefleet.dataset.Instance;
import io.imagefleet.mirror.MirrorTags;
import io.imagefleet.registry.ImageReference;
import io.imagefleet.registry.Platform;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * How an instance's base image is named. A base image the dataset gives wins; then {@code
 * --base-image-template} ({@code {id}} in it is the instance; without it, one base for all); then
 * the benchmark's rule. SWE-Bench and SWT-Bench share one rule (SWT-Bench Verified instances are
 * SWE-Bench repositories): {@code docker.io/swebench/sweb.eval.{arch}.{id}:latest} with the id
 * lower-cased and {@code __} → {@code _1776_}, since Docker Hub rejects {@code __}. {@code {arch}}
 * is the platform's architecture as SWE-bench spells it ({@code x86_64} for amd64): with one
 * platform it is filled in here; with several, the planned base keeps it and each platform's base
 * is {@link #platformBase}.
 */
public record BaseImageRule(
    Benchmark benchmark,
    Optional<String> template,
    Optional<ImageReference> mirror,
    List<Platform> platforms) {
  static final String SWEBENCH_TEMPLATE = "docker.io/swebench/sweb.eval.{arch}.{id}:latest";
  static final String ARCH = "{arch}";

  /** Docker's reference grammar: [host[:port]/]path[:tag][@digest], path in lower case. */
  private static final Pattern REFERENCE =
      Pattern.compile(
          "(?:(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*"
              + "|\\[[0-9a-fA-F:]+\\])(?::[0-9]+)?/)?"
              + "[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*"
              + "(?::[\\w][\\w.-]{0,127})?"
              + "(?:@[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,})?");

  public BaseImageRule {
    platforms = List.copyOf(platforms);
  }

  public BaseImageRule(Benchmark benchmark, Optional<String> template) {
    this(benchmark, template, Optional.empty());
  }

  public BaseImageRule(
      Benchmark benchmark, Optional<String> template, Optional<ImageReference> mirror) {
    this(benchmark, template, mirror, List.of(Platform.LINUX_AMD64));
  }

  /** This rule with every base taken from {@code --base-mirror} (as {@code mirror} tags it). */
  public BaseImageRule mirroredIn(Optional<ImageReference> repository) {
    return new BaseImageRule(benchmark, template, repository, platforms);
  }

  /** This rule for {@code --platform}'s platforms (the first fills in a lone {@code {arch}}). */
  public BaseImageRule forPlatforms(List<Platform> chosen) {
    return new BaseImageRule(benchmark, template, mirror, chosen);
  }

  /** The architecture as SWE-bench's image names spell it: {@code x86_64} for amd64. */
  public static String arch(Platform platform) {
    return platform.architecture().equals("amd64") ? "x86_64" : platform.architecture();
  }

  /**
   * One platform's base of a planned base: {@code {arch}} filled in (then mirrored under {@code
   * --base-mirror}); a base without it is every platform's.
   */
  public String platformBase(String planned, Platform platform) {
    if (!planned.contains(ARCH)) {
      return planned;
    }
    String named = planned.replace(ARCH, arch(platform));
    return mirror.isEmpty() || problem(named).isPresent()
        ? named
        : MirrorTags.reference(mirror.get(), named);
  }

  /** The base a tag is named after: the first platform's. */
  String tagBase(String planned) {
    return planned.replace(ARCH, arch(platforms.get(0)));
  }

  /**
   * The base image (its mirror's copy under {@code --base-mirror}), or empty when nothing names one
   * (a custom benchmark without a template).
   */
  public Optional<String> baseImage(Instance instance) {
    Optional<String> named = namedBase(instance);
    if (mirror.isEmpty()
        || named.isEmpty()
        || named.get().contains(ARCH)
        || problem(named.get()).isPresent()) {
      return named;
    }
    return Optional.of(MirrorTags.reference(mirror.get(), named.get()));
  }

  /**
   * The base the dataset, the template or the benchmark names; {@code {arch}} in it filled in for
   * one platform, kept for several.
   */
  public Optional<String> namedBase(Instance instance) {
    if (instance.baseImage().isPresent()) {
      return instance.baseImage().map(this::oneArch);
    }
    if (template.isEmpty() && benchmark == Benchmark.CUSTOM) {
      return Optional.empty();
    }
    String pattern = template.orElse(SWEBENCH_TEMPLATE);
    return Optional.of(oneArch(pattern.replace("{id}", dockerSafe(instance.id()))));
  }

  private String oneArch(String base) {
    return platforms.size() == 1 ? base.replace(ARCH, arch(platforms.get(0))) : base;
  }

  /**
   * What is wrong with a base image reference, if anything: Docker would refuse it ({@code {arch}}
   * stands for an architecture).
   */
  public static Optional<String> problem(String reference) {
    String concrete = reference.replace(ARCH, "x86_64");
    if (concrete.length() > 255 || !REFERENCE.matcher(concrete).matches()) {
      return Optional.of(
          "'"
              + reference
              + "' is not a valid image reference ([host/]name[:tag][@digest], name in lower case)");
    }
    return Optional.empty();
  }

  /** Names the instances no rule gives a base image; exit 2. */
  public static ImagefleetException noBase(java.util.List<String> instances) {
    return ImagefleetException.invalidInput(
        "--benchmark custom: "
            + instances.size()
            + " instance(s) have no base_image in the dataset (first: "
            + instances.get(0)
            + "); add base_image to every record or pass --base-image-template");
  }

  /** Lower case, and {@code __} (which Docker Hub rejects) as {@code _1776_}. */
  static String dockerSafe(String id) {
    return id.toLowerCase(Locale.ROOT).replace("__", "_1776_");
  }
}
