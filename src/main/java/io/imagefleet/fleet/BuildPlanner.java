package io.imagefleet.fleet;

import io.imagefleet.dataset.Instance;
import io.imagefleet.registry.ImageReference;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Decides each instance's base image and final tag. */
public final class BuildPlanner {
  private BuildPlanner() {}

  public static List<PlannedImage> plan(
      List<Instance> instances,
      BaseImageRule rule,
      ImageReference repository,
      String sdkCommit,
      String target) {
    Map<String, String> bases = new LinkedHashMap<>();
    List<String> missing = new ArrayList<>();
    for (Instance instance : instances) {
      rule.baseImage(instance)
          .ifPresentOrElse(b -> bases.put(instance.id(), b), () -> missing.add(instance.id()));
    }
    if (!missing.isEmpty()) {
      throw BaseImageRule.noBase(missing);
    }
    Map<String, String> tagBases = new LinkedHashMap<>();
    bases.forEach((id, base) -> tagBases.put(id, rule.tagBase(base)));
    Map<String, String> tags = ImageTags.plan(sdkCommit, target, tagBases);
    List<PlannedImage> plan = new ArrayList<>();
    bases.forEach(
        (id, base) ->
            plan.add(
                new PlannedImage(
                    id,
                    base,
                    new ImageReference(
                        repository.registry(), repository.repository(), tags.get(id)))));
    return plan;
  }
}
