package io.imagefleet.fleet;

import io.imagefleet.ImagefleetException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.stream.Collectors;

/**
 * The builders {@code --builder} can name, and the one place a run's builder is chosen. Built in,
 * in the order {@code auto} tries them: append, phased, buildx, engine; others come from {@link
 * ServiceLoader} and are taken only when named.
 */
public final class BuilderTypes {
  public static final String AUTO = "auto";
  static final BuilderType APPEND = new AppendType();
  static final BuilderType PHASED = new PhasedType();
  static final BuilderType BUILDX = new BuildxType();
  static final BuilderType ENGINE = new EngineType();
  private static final List<BuilderType> BUILT_IN = List.of(APPEND, PHASED, BUILDX, ENGINE);

  private BuilderTypes() {}

  /** Every builder: the built-in ones, then those found through {@link ServiceLoader}. */
  public static List<BuilderType> all() {
    List<BuilderType> all = new ArrayList<>(BUILT_IN);
    ServiceLoader.load(BuilderType.class).forEach(all::add);
    return all;
  }

  /** "auto, append, phased, buildx or engine", for messages and help. */
  public static String ids() {
    List<String> ids = new ArrayList<>(List.of(AUTO));
    all().forEach(t -> ids.add(t.id()));
    String joined = String.join(", ", ids);
    return joined.replaceFirst(", (?=[^,]*$)", " or ");
  }

  /** {@code --builder}, checked: exit 2 naming the builders for one imagefleet doesn't know. */
  public static void requireKnown(String id) {
    if (!id.equals(AUTO) && byId(id).isEmpty()) {
      throw ImagefleetException.invalidInput("--builder must be " + ids() + ", got '" + id + "'");
    }
  }

  public static Optional<BuilderType> byId(String id) {
    return all().stream().filter(t -> t.id().equals(id)).findFirst();
  }

  /**
   * What {@code --builder} comes to, decided once per run before the sdist or anything else is
   * built; {@code passedOver} says why auto did not take the builders before it.
   */
  public record Choice(BuilderType type, Optional<String> passedOver) {
    /** The console line of {@code --builder auto}: what it took, and why not a faster one. */
    public String autoLine() {
      return type.id() + passedOver.map(w -> " (" + w + ")").orElse("");
    }
  }

  /**
   * The builder for {@code id}: a named builder that can't take the run exits 2 naming why and the
   * fix; auto takes the first built-in one that can (exit 2 with the last one's reason when none
   * can).
   */
  public static Choice choose(String id, BuilderContext run) {
    requireKnown(id);
    if (!id.equals(AUTO)) {
      BuilderType type = byId(id).orElseThrow();
      refusal(type, run)
          .ifPresent(
              r -> {
                throw ImagefleetException.invalidInput(r.message());
              });
      return new Choice(type, Optional.empty());
    }
    List<String> reasons = new ArrayList<>();
    BuilderType.Refusal last = null;
    for (BuilderType type : BUILT_IN) {
      Optional<BuilderType.Refusal> refusal = refusal(type, run);
      if (refusal.isEmpty()) {
        return new Choice(
            type,
            reasons.isEmpty()
                ? Optional.empty()
                : Optional.of(reasons.stream().distinct().collect(Collectors.joining("; "))));
      }
      last = refusal.get();
      if (reasons.isEmpty()) {
        reasons.add(last.reason());
      }
    }
    throw ImagefleetException.invalidInput(last.message());
  }

  /** Why {@code type} can't take the run: its capabilities first, then its own reasons. */
  static Optional<BuilderType.Refusal> refusal(BuilderType type, BuilderContext run) {
    BuilderType.Capabilities can = type.capabilities();
    String id = type.id();
    Attestations attestations = run.options().attestations();
    if (!can.attestations() && attestations != Attestations.NONE) {
      return Optional.of(
          new BuilderType.Refusal(
              "--attestations "
                  + attestations.id()
                  + " needs buildx; the "
                  + id
                  + " builder pushes no attestations. Use --builder buildx, or --attestations"
                  + " none",
              "--attestations needs buildx"));
    }
    if (can.pushOnly() && !run.settings().push()) {
      return Optional.of(
          new BuilderType.Refusal(
              "--builder "
                  + id
                  + " assembles images in the registry; drop --no-push or use --builder engine",
              "--no-push builds locally"));
    }
    if (!can.secrets() && !run.settings().secrets().isEmpty()) {
      return Optional.of(
          new BuilderType.Refusal(
              "--secret needs BuildKit, which the "
                  + id
                  + " builder doesn't use; drop --secret or use --builder buildx"
                  + " (docker/setup-buildx-action)",
              "--secret needs BuildKit"));
    }
    if (!can.platforms() && run.settings().multiPlatform()) {
      return Optional.of(
          new BuilderType.Refusal(
              "--builder "
                  + id
                  + " builds for one platform; use --builder append, phased or buildx for --platform "
                  + run.settings().platforms().stream()
                      .map(Object::toString)
                      .collect(Collectors.joining(",")),
              "one platform only"));
    }
    return type.refuses(run);
  }
}
