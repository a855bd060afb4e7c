package io.imagefleet.fleet;

import java.util.Optional;

/**
 * One builder {@code --builder} can name: what it can do, why a run can't use it, and what it
 * prepares once per run (after the sdist, before the first image). The built-in ones are in {@link
 * BuilderTypes}; another is one class implementing this, listed in {@code
 * META-INF/services/io.imagefleet.fleet.BuilderType}.
 */
public interface BuilderType {
  /** Its name for {@code --builder}, the console and reports. */
  String id();

  Capabilities capabilities();

  /**
   * Why this run can't be built with it beyond what {@link #capabilities} already rules out (the
   * Dockerfile, a missing tool), before anything is built; empty when it can.
   */
  default Optional<Refusal> refuses(BuilderContext run) {
    return Optional.empty();
  }

  /** Once per run: the image builder, and the disk probe, pruner and health check around it. */
  BuildTools prepare(BuilderContext run, BuildInputs inputs);

  /**
   * What a builder can do. {@code auto} takes the first built-in builder whose capabilities fit the
   * run and that doesn't refuse it; an explicit {@code --builder} that doesn't fit exits 2.
   *
   * @param pushOnly it assembles images in the registry: no {@code --no-push}
   * @param secrets it passes {@code --secret} to BuildKit
   * @param attestations it pushes provenance and SBOM attestations
   * @param readsBases it reads each base from its registry itself (no daemon pull)
   * @param needsDaemon it builds every image through a Docker daemon
   * @param platforms it builds several {@code --platform}s into one image index per tag
   */
  record Capabilities(
      boolean pushOnly,
      boolean secrets,
      boolean attestations,
      boolean readsBases,
      boolean needsDaemon,
      boolean platforms) {
    /** A builder of one platform. */
    public Capabilities(
        boolean pushOnly,
        boolean secrets,
        boolean attestations,
        boolean readsBases,
        boolean needsDaemon) {
      this(pushOnly, secrets, attestations, readsBases, needsDaemon, false);
    }
  }

  /**
   * Why a builder can't take a run: {@code message} ends the run when the builder was named (exit
   * 2, with the fix); {@code reason} is auto's short note on the console when it moves on.
   */
  record Refusal(String message, String reason) {
    public static Refusal of(String message) {
      return new Refusal(message, message);
    }
  }
}
