package io.imagefleet.fleet;

import io.imagefleet.append.dockerfile.NotAppendable;
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
    return new Capabilities(true, true, false, true, true);
  }

  @Override
  public Optional<Refusal> refuses(BuilderContext run) {
    try {
      PhasedSetup.plan(run.settings(), "agent.tar.gz", run.sdkCommit());
      return Optional.empty();
    } catch (NotAppendable e) {
      return Optional.of(Refusal.of(e.getMessage()));
    }
  }

  @Override
  public BuildTools prepare(BuilderContext run, BuildInputs inputs) {
    BuilderType env =
        BuilderTypes.BUILDX.refuses(run).isEmpty() ? BuilderTypes.BUILDX : BuilderTypes.ENGINE;
    BuildTools daemonTools = env.prepare(run, inputs);
    return new PhasedSetup(run.settings(), run.err(), run.options().cacheDir())
        .onBuildx(run.namedBuilder(), run.docker().cli(), run.docker().environment())
        .tools(
            daemonTools,
            run::daemon,
            inputs.sdist(),
            inputs.sdkCommit(),
            run.registry(),
            run.options().platform());
  }
}
