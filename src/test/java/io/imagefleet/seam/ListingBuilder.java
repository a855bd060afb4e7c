package io.imagefleet.seam;

import io.imagefleet.fleet.BuildInputs;
import io.imagefleet.fleet.BuildTools;
import io.imagefleet.fleet.BuilderContext;
import io.imagefleet.fleet.BuilderType;
import io.imagefleet.fleet.Health;
import io.imagefleet.fleet.ImageBuilder;
import io.imagefleet.fleet.ImageJob;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Optional;

/**
 * A builder that only lists what it was asked to build, one line per image in {@code
 * <output>/listed.txt}: the proof that a builder is this one class plus its line in {@code
 * META-INF/services/io.imagefleet.fleet.BuilderType}, nothing in imagefleet edited.
 */
public final class ListingBuilder implements BuilderType {
  @Override
  public String id() {
    return "listing";
  }

  @Override
  public Capabilities capabilities() {
    return new Capabilities(false, false, false, false, false);
  }

  @Override
  public Optional<Refusal> refuses(BuilderContext run) {
    return run.settings().push()
        ? Optional.of(Refusal.of("--builder listing pushes nothing; add --no-push"))
        : Optional.empty();
  }

  @Override
  public BuildTools prepare(BuilderContext run, BuildInputs inputs) {
    Path listed = run.settings().output().resolve("listed.txt");
    BuilderType type = this;
    ImageBuilder builder =
        new ImageBuilder() {
          @Override
          public Optional<String> build(ImageJob job, Path log, Duration timeout) {
            try {
              Files.writeString(
                  listed,
                  job.instance() + " " + job.baseImage() + " " + job.image() + "\n",
                  StandardOpenOption.CREATE,
                  StandardOpenOption.APPEND);
            } catch (IOException e) {
              throw new UncheckedIOException(e);
            }
            return Optional.empty();
          }

          @Override
          public BuilderType type() {
            return type;
          }
        };
    return new BuildTools(builder, Optional.empty(), Optional.empty(), Health.NONE);
  }
}
