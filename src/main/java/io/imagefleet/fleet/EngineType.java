package io.imagefleet.fleet;

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

  @Override
  public BuildTools prepare(BuilderContext run, BuildInputs inputs) {
    return run.onDaemon(new EngineImageBuilder(run.daemon(), run.credentials()));
  }
}
