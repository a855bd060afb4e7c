package io.imagefleet.fleet;

import io.imagefleet.ImagefleetException;
import io.imagefleet.SafeFiles;
import io.imagefleet.append.dockerfile.AppendPlan;
import io.imagefleet.append.layer.AppendCache;
import io.imagefleet.docker.DockerDaemon;
import io.imagefleet.docker.EngineBuild;
import io.imagefleet.docker.StepFailure;
import io.imagefleet.registry.Platform;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Append's earlier stages of one run, exported: each stage the layer copies from is taken from the
 * cache by its key, else built as its own target (through the daemon, or on the builder {@code
 * --buildx-builder} names), for one platform when asked, and only the paths the layer reads are
 * taken out of it.
 */
final class StageExports {
  private static final String STAGES_DOCKERFILE = "Dockerfile.imagefleet-stages";

  private final BuildSettings settings;
  private final PrintWriter err;
  private final Path dir;
  private final Optional<BuildxStages> buildx;
  private final AppendPlan plan;
  private final Supplier<? extends DockerDaemon> daemon;
  private final Path context;
  private final Map<String, String> args;
  private final AppendCache cache;

  /**
   * @param dir the run's append directory (a stage without a key is exported under its {@code
   *     stages/})
   * @param daemon asked for only when a stage is built on it
   * @param context the build context, the stages' Dockerfile written into it while they build
   */
  StageExports(
      BuildSettings settings,
      PrintWriter err,
      Path dir,
      Optional<BuildxStages> buildx,
      AppendPlan plan,
      Supplier<? extends DockerDaemon> daemon,
      Path context,
      Map<String, String> args,
      AppendCache cache) {
    this.settings = settings;
    this.err = err;
    this.dir = dir;
    this.buildx = buildx;
    this.plan = plan;
    this.daemon = daemon;
    this.context = context;
    this.args = Map.copyOf(args);
    this.cache = cache;
  }

  /**
   * Each stage the layer copies from that {@code wanted} takes: from the cache when its key is
   * there, else built once as its own target (for {@code platform}, when given), the paths the
   * layer reads copied out of it (and kept under the key), the image removed.
   */
  Map<String, AppendCache.Stage> export(
      AppendKeys keys, Predicate<String> wanted, Optional<Platform> platform) {
    Map<String, AppendCache.Stage> stages = new LinkedHashMap<>();
    List<String> built = new ArrayList<>();
    String forPlatform = platform.map(p -> " for " + p).orElse("");
    // The plan's own text (for phased, the tail's, without the stages on ${BASE_IMAGE}); it leaves
    // the context before the layer reads it.
    Path stagesFile = context.resolve(STAGES_DOCKERFILE);
    long start = System.nanoTime();
    try {
      Files.writeString(stagesFile, plan.dockerfileText());
      for (Map.Entry<String, List<String>> export : plan.exportPaths().entrySet()) {
        String stage = export.getKey();
        if (!wanted.test(stage)) {
          continue;
        }
        AppendCache.Stage exported = exportOne(stage, export.getValue(), keys, platform);
        if (!exported.reused()) {
          built.add(stage);
        }
        stages.put(stage, exported);
      }
      Files.delete(stagesFile);
    } catch (IOException e) {
      throw AppendSetup.cacheFailure(cache, e);
    }
    if (!built.isEmpty()) {
      err.println(
          "imagefleet build: append: built stage(s) "
              + String.join(", ", built)
              + forPlatform
              + buildx
                  .map(b -> " once on buildx builder " + b.name())
                  .orElse(" once through the Docker daemon")
              + " in "
              + Math.round((System.nanoTime() - start) / 1e9)
              + " s");
    }
    return stages;
  }

  /** One stage: from the cache under its key, else built and its paths taken out. */
  private AppendCache.Stage exportOne(
      String stage, List<String> paths, AppendKeys keys, Optional<Platform> platform)
      throws IOException {
    String forPlatform = platform.map(p -> " for " + p).orElse("");
    AppendKeys.Key key = keys.stage(plan.stageInputs().get(stage), paths);
    Consumer<Path> build =
        buildx.isPresent()
            ? root ->
                buildxStage(
                    buildx.get(), stage, platform.orElse(buildx.get().platform()), paths, root)
            : root ->
                exportStage(
                    stage, platform.map(Platform::toString).orElse(""), paths, daemon.get(), root);
    AppendCache.Stage exported;
    if (key.key().isPresent()) {
      exported = cache.stage(key.key().get(), build);
    } else {
      err.println(
          "imagefleet build: append: stage '"
              + stage
              + "'"
              + forPlatform
              + " is not cached: "
              + key.whyNot());
      Path stagesDir = dir.resolve("stages");
      if (platform.isPresent()) {
        stagesDir = stagesDir.resolve(SafeFiles.fileName(platform.get().toString()));
      }
      Path root = Files.createDirectories(stagesDir.resolve(SafeFiles.fileName(stage)));
      build.accept(root);
      exported = new AppendCache.Stage(root, AppendCache.treeDigest(root), false);
    }
    if (exported.reused()) {
      err.println(
          "imagefleet build: append: stage '"
              + stage
              + "'"
              + forPlatform
              + " reused from the cache ("
              + key.key().orElseThrow()
              + "), not built");
    }
    return exported;
  }

  /**
   * Builds one stage as its own target for {@code platform} ({@code os/arch[/variant]}; empty: the
   * daemon's own) and copies {@code paths} out of it; the image goes.
   */
  private void exportStage(
      String stage, String platform, List<String> paths, DockerDaemon daemon, Path root) {
    Path log = settings.logs().resolve("append-stages.log");
    String tag =
        "imagefleet-append-stage:"
            + SafeFiles.fileName(stage).replace('%', '-')
            + "-"
            + UUID.randomUUID().toString().substring(0, 8);
    try {
      daemon.buildImage(
          new EngineBuild(
              context,
              context.resolve(STAGES_DOCKERFILE),
              tag,
              stage,
              args,
              settings.network(),
              platform,
              // A stage built for a named platform takes its images for that platform.
              !platform.isEmpty()),
          log,
          settings.imageTimeout());
      for (String path : paths) {
        daemon.exportPath(tag, path, root);
      }
    } catch (StepFailure e) {
      throw stageFailure(stage, platform, e, log);
    } finally {
      removeQuietly(daemon, tag);
    }
  }

  /** Builds one stage on the named buildx builder, only {@code paths} written out of it. */
  private void buildxStage(
      BuildxStages stages, String stage, Platform platform, List<String> paths, Path root) {
    Path log = settings.logs().resolve("append-stages.log");
    try {
      stages.export(
          stage,
          platform,
          paths,
          context,
          context.resolve(STAGES_DOCKERFILE),
          args,
          settings.network(),
          root,
          log,
          settings.imageTimeout());
    } catch (StepFailure e) {
      throw ImagefleetException.invalidInput(
          "--builder append: building stage '"
              + stage
              + "' for "
              + platform
              + " on buildx builder "
              + stages.name()
              + " failed: "
              + e.getMessage()
              + "; see "
              + log);
    }
  }

  private static ImagefleetException stageFailure(
      String stage, String platform, StepFailure e, Path log) {
    if (e.unreachable()) {
      return e;
    }
    return ImagefleetException.invalidInput(
        "--builder append: building stage '"
            + stage
            + "'"
            + (platform.isEmpty() ? "" : " for " + platform)
            + " failed: "
            + e.getMessage()
            + "; see "
            + log
            + " (or use --builder engine)");
  }

  private static void removeQuietly(DockerDaemon daemon, String tag) {
    try {
      daemon.removeImage(tag);
    } catch (StepFailure e) {
      // A stage image left behind costs disk, nothing else; prune takes it later.
    }
  }
}
