package io.imagefleet.fleet;

import io.imagefleet.Benchmark;
import io.imagefleet.ImagefleetException;
import io.imagefleet.dataset.Instance;
import io.imagefleet.mirror.MirrorTags;
import io.imagefleet.registry.ImageReference;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * How an instance's base image is named. A base image the dataset gives wins; then {@code
 * --base-image-template} ({@code {id}} in it is the instance; without it, one base for all); then
 * the benchmark's rule. SWE-Bench and SWT-Bench share one rule (SWT-Bench Verified instances are
 * SWE-Bench repositories): {@code docker.io/swebench/sweb.eval.x86_64.{id}:latest} with the id
 * lower-cased and {@code __} → {@code _1776_}, since Docker Hub rejects {@code __}.
 */
public record BaseImageRule(
    Benchmark benchmark, Optional<String> template, Optional<ImageReference> mirror) {
  static final String SWEBENCH_TEMPLATE = "docker.io/swebench/sweb.eval.x86_64.{id}:latest";

  /** Docker's reference grammar: [host[:port]/]path[:tag][@digest], path in lower case. */
  private static final Pattern REFERENCE =
      Pattern.compile(
          "(?:(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*"
              + "|\\[[0-9a-fA-F:]+\\])(?::[0-9]+)?/)?"
              + "[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*"
              + "(?::[\\w][\\w.-]{0,127})?"
              + "(?:@[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,})?");

  public BaseImageRule(Benchmark benchmark, Optional<String> template) {
    this(benchmark, template, Optional.empty());
  }

  /** This rule with every base taken from {@code --base-mirror} (as {@code mirror} tags it). */
  public BaseImageRule mirroredIn(Optional<ImageReference> repository) {
    return new BaseImageRule(benchmark, template, repository);
  }

  /**
   * The base image (its mirror's copy under {@code --base-mirror}), or empty when nothing names one
   * (a custom benchmark without a template).
   */
  public Optional<String> baseImage(Instance instance) {
    Optional<String> named = namedBase(instance);
    if (mirror.isEmpty() || named.isEmpty() || problem(named.get()).isPresent()) {
      return named;
    }
    return Optional.of(MirrorTags.reference(mirror.get(), named.get()));
  }

  /** The base the dataset, the template or the benchmark names. */
  public Optional<String> namedBase(Instance instance) {
    if (instance.baseImage().isPresent()) {
      return instance.baseImage();
    }
    if (template.isEmpty() && benchmark == Benchmark.CUSTOM) {
      return Optional.empty();
    }
    String pattern = template.orElse(SWEBENCH_TEMPLATE);
    return Optional.of(pattern.replace("{id}", dockerSafe(instance.id())));
  }

  /** What is wrong with a base image reference, if anything: Docker would refuse it. */
  public static Optional<String> problem(String reference) {
    if (reference.length() > 255 || !REFERENCE.matcher(reference).matches()) {
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
