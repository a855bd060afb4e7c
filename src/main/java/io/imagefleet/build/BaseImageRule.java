package io.imagefleet.build;

import io.imagefleet.ImagefleetException;
import io.imagefleet.dataset.Instance;
import java.util.Locale;
import java.util.Optional;

/**
 * How an instance's base image is named. A base image the dataset gives wins; then {@code
 * --base-image-template}; then the benchmark's rule. SWE-Bench and SWT-Bench share one rule
 * (SWT-Bench Verified instances are SWE-Bench repositories): {@code
 * docker.io/swebench/sweb.eval.x86_64.{id}:latest} with the id lower-cased and {@code __} → {@code
 * _1776_}, since Docker Hub rejects {@code __}.
 */
public record BaseImageRule(String benchmark, Optional<String> template) {
  static final String SWEBENCH_TEMPLATE = "docker.io/swebench/sweb.eval.x86_64.{id}:latest";

  public BaseImageRule {
    if (template.isPresent() && !template.get().contains("{id}")) {
      throw ImagefleetException.invalidInput(
          "--base-image-template must contain {id}, got '" + template.get() + "'");
    }
    if (template.isEmpty() && benchmark.equals("custom")) {
      throw ImagefleetException.invalidInput(
          "--benchmark custom needs --base-image-template (or a base_image field in every dataset record)");
    }
  }

  public String baseImage(Instance instance) {
    if (instance.baseImage().isPresent()) {
      return instance.baseImage().get();
    }
    String pattern = template.orElse(SWEBENCH_TEMPLATE);
    return pattern.replace("{id}", dockerSafe(instance.id()));
  }

  /** Lower case, and {@code __} (which Docker Hub rejects) as {@code _1776_}. */
  static String dockerSafe(String id) {
    return id.toLowerCase(Locale.ROOT).replace("__", "_1776_");
  }
}
