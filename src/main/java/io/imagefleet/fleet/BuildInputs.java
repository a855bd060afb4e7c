package io.imagefleet.fleet;

import io.imagefleet.sdist.SdistCache;
import java.util.List;
import java.util.Set;

/**
 * What one build run works through: the plan, what an earlier run already did (with {@code resume},
 * the manifest is appended to), the sdist and the SDK commit it was built from, and the earlier
 * manifest ({@code --history}, or {@code --resume}'s) whose images may be retagged.
 */
public record BuildInputs(
    List<PlannedImage> plan,
    Set<String> alreadyDone,
    SdistCache.Sdist sdist,
    String sdkCommit,
    boolean resume,
    History history) {

  public BuildInputs(
      List<PlannedImage> plan,
      Set<String> alreadyDone,
      SdistCache.Sdist sdist,
      String sdkCommit,
      boolean resume) {
    this(plan, alreadyDone, sdist, sdkCommit, resume, History.none());
  }

  public BuildInputs {
    plan = List.copyOf(plan);
    alreadyDone = Set.copyOf(alreadyDone);
  }
}
