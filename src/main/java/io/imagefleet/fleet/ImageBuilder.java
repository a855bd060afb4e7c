package io.imagefleet.fleet;

import io.imagefleet.ImageMeter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;

/** Builds one image, pushes it when asked, and removes what it left in the local daemon. */
public interface ImageBuilder {
  /**
   * Returns the digest the registry holds for the pushed image (empty without push). Throws {@link
   * io.imagefleet.docker.StepFailure} when the build or push fails or runs past {@code timeout}.
   */
  Optional<String> build(ImageJob job, Path log, Duration timeout);

  /** The builder {@code --builder} named (or auto took). */
  BuilderType type();

  /** The builder's name on the console and in reports: its type's. */
  default String name() {
    return type().id();
  }

  /**
   * The blob bytes its images can account for: what crosses through imagefleet's own registry calls
   * (a builder that reads bases itself). The daemon's pulls and pushes it can't see.
   */
  default Set<ImageMeter.Bytes> bytesCounted() {
    return type().capabilities().readsBases()
        ? EnumSet.of(
            ImageMeter.Bytes.STREAMED,
            ImageMeter.Bytes.UPLOADED,
            ImageMeter.Bytes.MOUNTED,
            ImageMeter.Bytes.PRESENT)
        : Set.of();
  }

  /** What the builder moved over the network in the run, for the console; empty if not counted. */
  default Optional<String> traffic() {
    return Optional.empty();
  }

  /** How the summary and report name the builder: its name, with what a run of it did. */
  default String summaryName() {
    return name();
  }

  /** The env image the instance's image was appended to, when the builder is phased. */
  default Optional<String> envImage(String instance) {
    return Optional.empty();
  }

  /** The platforms in the instance's index and those its base lacked, for a multi-platform run. */
  default Optional<PlatformCoverage> platforms(String instance) {
    return Optional.empty();
  }

  /**
   * The manifest digest the builder found {@code baseImage} at while building, when it reads bases
   * from the registry itself (append): the image can be keyed after the build without asking the
   * registry again.
   */
  default Optional<String> resolvedBase(String baseImage) {
    return Optional.empty();
  }

  /** Whether {@link #resolvedBase} answers for the bases it built on. */
  default boolean resolvesBases() {
    return false;
  }

  /**
   * Why no disk is measured for it, when it builds somewhere other than this daemon (a remote
   * buildx builder): the summary and report say so instead of "not measured".
   */
  default Optional<String> unmeasuredDisk() {
    return Optional.empty();
  }

  /** The buildx builder it builds on, when it picked one other than the active builder. */
  default Optional<String> buildxBuilder() {
    return Optional.empty();
  }
}
