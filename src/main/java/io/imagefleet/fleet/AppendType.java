package io.imagefleet.fleet;

import io.imagefleet.append.dockerfile.NotAppendable;
import java.util.Optional;

/** {@code --builder append}: every image assembled in the registry, no daemon per image. */
final class AppendType implements BuilderType {
  static final String NO_PUSH =
      "--builder append assembles images in the registry; drop --no-push or use --builder engine";

  @Override
  public String id() {
    return "append";
  }

  @Override
  public Capabilities capabilities() {
    return new Capabilities(true, false, false, true, false);
  }

  @Override
  public Optional<Refusal> refuses(BuilderContext run) {
    try {
      // The sdist's real name is known only once it is built; the layer's plan uses it then.
      AppendSetup.plan(run.settings(), "agent.tar.gz", run.sdkCommit());
      return Optional.empty();
    } catch (NotAppendable e) {
      return Optional.of(Refusal.of(e.getMessage()));
    }
  }

  @Override
  public BuildTools prepare(BuilderContext run, BuildInputs inputs) {
    return new AppendSetup(run.settings(), run.err(), run.options().cacheDir())
        .tools(
            inputs.sdist(),
            inputs.sdkCommit(),
            run.docker().connect(),
            run.registry().transport(),
            run.options().platform());
  }
}
