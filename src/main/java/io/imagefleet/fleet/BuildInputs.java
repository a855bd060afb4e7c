package io.imagefleet.fleet;

import io.imagefleet.sdist.SdistCache;
import java.util.List;
import java.util.Set;

/**
 * What one build run works through: the plan, what an earlier run already did (with {@code resume},
 * the manifest is appended to), the sdist and the SDK commit it was built from.
 */
public record BuildInputs(
    List<PlannedImage> plan,
    Set<String> alreadyDone,
    SdistCache.Sdist sdist,
    String sdkCommit,
    boolean resume) {

  public BuildInputs {
    plan = List.copyOf(plan);
    alreadyDone = Set.copyOf(alreadyDone);
  }
}
