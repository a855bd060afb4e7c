package io.imagefleet.fleet;

import io.imagefleet.ImagefleetException;
import io.imagefleet.append.assembly.AppendAssembler;
import io.imagefleet.append.assembly.AppendRequest;
import io.imagefleet.append.dockerfile.AppendPlan;
import io.imagefleet.append.layer.AgentLayer;
import io.imagefleet.docker.StepFailure;
import io.imagefleet.registry.RegistryFailure;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * {@code --builder append}: each image is its base plus the run's one agent layer, assembled in the
 * registry by {@link AppendAssembler} (blobs mounted or streamed, config and manifest put). No
 * Docker daemon is involved; nothing is left locally, so there is nothing to remove.
 */
final class AppendImageBuilder implements ImageBuilder {
  private final AppendAssembler assembler;
  private final AppendPlan plan;
  private final Optional<AgentLayer> layer;
  private final Instant created;

  AppendImageBuilder(
      AppendAssembler assembler, AppendPlan plan, Optional<AgentLayer> layer, Instant created) {
    this.assembler = assembler;
    this.plan = plan;
    this.layer = layer;
    this.created = created;
  }

  @Override
  public BuilderType type() {
    return BuilderTypes.APPEND;
  }

  @Override
  public boolean resolvesBases() {
    return true;
  }

  @Override
  public Optional<String> resolvedBase(String baseImage) {
    return assembler.resolvedBase(baseImage);
  }

  @Override
  public Optional<String> traffic() {
    AppendAssembler.Stats s = assembler.stats();
    return Optional.of(
        "append moved "
            + s.bytesStreamed()
            + " bytes in "
            + s.blobsStreamed()
            + " streamed base blob(s) and "
            + s.bytesUploaded()
            + " bytes in "
            + s.blobsUploaded()
            + " agent layer upload(s); "
            + s.blobsMounted()
            + " blob(s) mounted, "
            + s.blobsPresent()
            + " already present; "
            + s.imagesPushed()
            + " manifest(s) pushed");
  }

  @Override
  public Optional<String> build(ImageJob job, Path log, Duration timeout) {
    if (!job.push()) {
      throw new StepFailure(AppendType.NO_PUSH, false);
    }
    AppendRequest request = new AppendRequest(job.baseImage(), job.image(), plan, layer, created);
    try {
      return Optional.of(assembler.assemble(request, log, timeout));
    } catch (StepFailure e) {
      throw e;
    } catch (RegistryFailure e) {
      throw e.timedOut()
          ? new StepFailure(e.getMessage(), true)
          : e.unreachable()
              ? StepFailure.unreachable(e.getMessage())
              : new StepFailure(e.getMessage(), false);
    } catch (ImagefleetException e) {
      // A base reference the registry API can't address, say: the image's own failure.
      throw new StepFailure("assemble " + job.image() + " failed: " + e.getMessage(), false);
    } catch (UncheckedIOException e) {
      // An I/O error fails this image; anything else (a NullPointerException, say) is a
      // programming error, not the image's: it ends the run (report written, exit 1).
      throw new StepFailure("assemble " + job.image() + " failed: " + e.getMessage(), false);
    }
  }
}
