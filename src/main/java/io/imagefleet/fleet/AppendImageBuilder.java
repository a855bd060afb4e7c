package io.imagefleet.fleet;

import io.imagefleet.ImagefleetException;
import io.imagefleet.append.assembly.AppendAssembler;
import io.imagefleet.append.assembly.AppendRequest;
import io.imagefleet.append.dockerfile.AppendPlan;
import io.imagefleet.append.layer.AgentLayer;
import io.imagefleet.docker.StepFailure;
import io.imagefleet.registry.Platform;
import io.imagefleet.registry.RegistryFailure;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiFunction;

/**
 * {@code --builder append}: each image is its base plus the run's one agent layer (or, when an
 * earlier stage was built per platform, its platform's), assembled in the registry by {@link
 * AppendAssembler} (blobs mounted or streamed, config and manifest put). No Docker daemon is
 * involved; nothing is left locally, so there is nothing to remove.
 */
public final class AppendImageBuilder implements ImageBuilder {
  private final AppendAssembler assembler;
  private final AppendPlan plan;
  private final Optional<AgentLayer> layer;
  private final Map<Platform, AgentLayer> platformLayers;
  private final Instant created;
  private final List<Platform> platforms;
  private final MissingPlatform missing;
  private final BiFunction<String, Platform, String> platformBase;
  private final Map<String, PlatformCoverage> coverage = new ConcurrentHashMap<>();

  /**
   * @param layer the one layer every image gets (empty when the stage copies nothing, or when each
   *     platform has its own)
   * @param platformLayers each platform's own layer, when an earlier stage was built per platform
   */
  AppendImageBuilder(
      AppendAssembler assembler,
      AppendPlan plan,
      Optional<AgentLayer> layer,
      Map<Platform, AgentLayer> platformLayers,
      Instant created) {
    this(
        assembler,
        plan,
        layer,
        platformLayers,
        created,
        List.of(),
        MissingPlatform.SKIP,
        (base, p) -> base);
  }

  private AppendImageBuilder(
      AppendAssembler assembler,
      AppendPlan plan,
      Optional<AgentLayer> layer,
      Map<Platform, AgentLayer> platformLayers,
      Instant created,
      List<Platform> platforms,
      MissingPlatform missing,
      BiFunction<String, Platform, String> platformBase) {
    this.assembler = assembler;
    this.plan = plan;
    this.layer = layer;
    this.platformLayers = Map.copyOf(platformLayers);
    this.created = created;
    this.platforms = List.copyOf(platforms);
    this.missing = missing;
    this.platformBase = platformBase;
  }

  /**
   * This builder making an index of {@code chosen} per image when there are two or more, each
   * platform on {@code platformBase}(planned base, platform); one platform builds as before.
   */
  AppendImageBuilder forPlatforms(
      List<Platform> chosen,
      MissingPlatform whenMissing,
      BiFunction<String, Platform, String> platformBase) {
    return chosen.size() < 2
        ? this
        : new AppendImageBuilder(
            assembler, plan, layer, platformLayers, created, chosen, whenMissing, platformBase);
  }

  @Override
  public Optional<PlatformCoverage> platforms(String instance) {
    return Optional.ofNullable(coverage.get(instance));
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
    // An index stands on several bases: no one base digest keys it.
    return platforms.isEmpty() ? assembler.resolvedBase(baseImage) : Optional.empty();
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
    List<AppendRequest.PlatformBase> bases =
        platforms.stream()
            .map(
                p ->
                    new AppendRequest.PlatformBase(
                        p,
                        platformBase.apply(job.baseImage(), p),
                        Optional.ofNullable(platformLayers.get(p)).or(() -> layer)))
            .toList();
    AppendRequest request =
        new AppendRequest(
            job.baseImage(),
            job.image(),
            plan,
            layer,
            created,
            bases,
            missing == MissingPlatform.FAIL);
    try {
      AppendAssembler.Assembled assembled = assembler.assembleImage(request, log, timeout);
      if (!platforms.isEmpty()) {
        coverage.put(
            job.instance(),
            new PlatformCoverage(names(assembled.platforms()), names(assembled.missing())));
      }
      return Optional.of(assembled.digest());
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

  private static List<String> names(List<Platform> list) {
    return list.stream().map(Platform::toString).toList();
  }
}
