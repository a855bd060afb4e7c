package io.imagefleet.fleet;

import io.imagefleet.append.dockerfile.Dockerfile;
import io.imagefleet.append.dockerfile.NotAppendable;
import io.imagefleet.append.dockerfile.PhasedPlan;
import java.util.Optional;

/**
 * {@code --builder phased}: an env image per base built through the daemon (buildx when present,
 * else the engine) and reused by its key; the rest of each image appended in the registry.
 */
final class PhasedType implements BuilderType {
  static final String NO_PUSH =
      "--builder phased keeps env images in the registry and appends to them there; drop"
          + " --no-push or use --builder engine";

  @Override
  public String id() {
    return "phased";
  }

  @Override
  public Capabilities capabilities() {
    return new Capabilities(true, true, false, true, true, true);
  }

  @Override
  public Optional<Refusal> refuses(BuilderContext run) {
    PhasedPlan plan;
    try {
      plan = PhasedSetup.plan(run.settings(), "agent.tar.gz", run.sdkCommit());
    } catch (NotAppendable e) {
      return Optional.of(Refusal.of(e.getMessage()));
    }
    if (!run.settings().multiPlatform()) {
      return Optional.empty();
    }
    Optional<String> tail = AppendType.platformBoundStage(plan.tail(), run.settings(), run);
    if (tail.isPresent()) {
      return Optional.of(
          new Refusal(tail.get(), "an earlier stage's commands can't run on every platform"));
    }
    boolean buildx = BuilderTypes.BUILDX.refuses(run).isEmpty();
    if (Dockerfile.firstRun(plan.headDockerfile(), buildx || run.namedBuilder().isPresent())
        .isEmpty()) {
      return Optional.empty();
    }
    // Each env image is built for its platform: its commands must run there.
    return CommandPlatforms.of(run, buildx)
        .lacking(
            run.settings().platforms(),
            "the env stage (the Dockerfile up to line " + plan.splitLine() + ")")
        .map(why -> new Refusal(why, "the env stage's commands can't run on every platform"));
  }

  @Override
  public BuildTools prepare(BuilderContext run, BuildInputs inputs) {
    boolean buildx = BuilderTypes.BUILDX.refuses(run).isEmpty();
    // Env images are built one platform each (the job names it), so any builder will do.
    BuildTools daemonTools =
        buildx
            ? ((BuildxType) BuilderTypes.BUILDX).perJobPlatform(run)
            : BuilderTypes.ENGINE.prepare(run, inputs);
    return new PhasedSetup(run.settings(), run.err(), run.options().cacheDir())
        .onBuildx(run.namedBuilder(), run.docker().cli(), run.docker().environment())
        .tools(
            daemonTools,
            run::daemon,
            inputs.sdist(),
            inputs.sdkCommit(),
            run.registry(),
            run.options().platform(),
            run.options().platformBase());
  }
}
