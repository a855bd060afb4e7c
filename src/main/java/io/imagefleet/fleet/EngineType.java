package io.imagefleet.fleet;

import java.util.Optional;

/** {@code --builder engine}: the Docker Engine API per image (no BuildKit: no secrets). */
final class EngineType implements BuilderType {
  @Override
  public String id() {
    return "engine";
  }

  @Override
  public Capabilities capabilities() {
    return new Capabilities(false, false, false, false, true);
  }

  /** --buildx-builder names where to build; the Engine API builds on the daemon alone. */
  static final String NAMED =
      "--builder engine builds through the daemon's Engine API, not on a buildx builder; drop"
          + " --buildx-builder or use --builder buildx";

  @Override
  public Optional<Refusal> refuses(BuilderContext run) {
    return run.options().buildxBuilder().isPresent()
        ? Optional.of(new Refusal(NAMED, "--buildx-builder names a buildx builder"))
        : Optional.empty();
  }

  @Override
  public BuildTools prepare(BuilderContext run, BuildInputs inputs) {
    return run.onDaemon(new EngineImageBuilder(run.daemon(), run.credentials()));
  }
}
