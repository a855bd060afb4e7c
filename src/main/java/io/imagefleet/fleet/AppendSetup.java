package io.imagefleet.fleet;

import io.imagefleet.ExitCode;
import io.imagefleet.ImagefleetException;
import io.imagefleet.SafeFiles;
import io.imagefleet.append.AgentLayer;
import io.imagefleet.append.AppendAssembler;
import io.imagefleet.append.AppendPlan;
import io.imagefleet.append.LayerBuilder;
import io.imagefleet.docker.DockerDaemon;
import io.imagefleet.docker.EngineBuild;
import io.imagefleet.docker.StepFailure;
import io.imagefleet.registry.Platform;
import io.imagefleet.registry.RegistryTransport;
import io.imagefleet.sdist.SdistCache;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * What an append run does once, before any image: read the Dockerfile ({@link AppendPlan}), build
 * the earlier stages the layer copies from through the daemon and take only the copied paths out of
 * them, and write the one agent layer. Everything lives under {@code <output>/append/}.
 */
public final class AppendSetup {
  private static final int REGISTRY_ATTEMPTS = 5;
  private static final String STAGES_DOCKERFILE = "Dockerfile.imagefleet-stages";
  private static final Duration REGISTRY_BACKOFF = Duration.ofSeconds(1);

  private final BuildSettings settings;
  private final PrintWriter err;
  private final Path dir;

  public AppendSetup(BuildSettings settings, PrintWriter err) {
    this.settings = settings;
    this.err = err;
    this.dir = settings.output().resolve("append");
  }

  /**
   * The Dockerfile read for append with the run's build args.
   *
   * @throws io.imagefleet.append.NotAppendable when it needs the daemon for every image
   */
  public static AppendPlan plan(BuildSettings settings, String sdistName, String sdkCommit) {
    String text = dockerfileText(settings);
    Map<String, String> args = args(settings, sdistName, sdkCommit);
    Optional<String> target = Optional.of(settings.target()).filter(t -> !t.isEmpty());
    return AppendPlan.parse(text, target, args);
  }

  /** The run's build args as every builder passes them: the user's, SDK_COMMIT and SDIST. */
  static Map<String, String> args(BuildSettings settings, String sdistName, String sdkCommit) {
    Map<String, String> args = new LinkedHashMap<>(settings.buildArgs());
    args.put("SDK_COMMIT", sdkCommit);
    args.put("SDIST", sdistName);
    return args;
  }

  /** The --dockerfile's text; exit 2 naming it when it can't be read. */
  static String dockerfileText(BuildSettings settings) {
    try {
      return Files.readString(settings.dockerfile());
    } catch (IOException e) {
      throw ImagefleetException.invalidInput(
          "--dockerfile " + settings.dockerfile() + ": cannot read: " + e.getMessage());
    }
  }

  /**
   * The run's tools: the Dockerfile's plan with the real sdist, its earlier stages built once on a
   * daemon connected only for them, the layer written. Images are assembled in the registry, so
   * there is no disk to watch and no daemon to ping while they are.
   */
  public BuildTools tools(
      SdistCache.Sdist sdist,
      String sdkCommit,
      Supplier<? extends DockerDaemon> connect,
      RegistryTransport transport,
      Platform platform) {
    AppendPlan plan = plan(settings, sdist.file().getFileName().toString(), sdkCommit);
    Optional<DockerDaemon> daemon =
        plan.needsEarlierStages() ? Optional.of(connect.get()) : Optional.empty();
    ImageBuilder builder;
    try {
      builder = builder(plan, sdist.file(), sdkCommit, daemon, transport, platform);
    } finally {
      daemon.ifPresent(DockerDaemon::close);
    }
    err.println(
        daemon.isPresent()
            ? "imagefleet build: append: images are assembled in the registry; no free-disk checks"
                + " or pruning between batches"
            : "imagefleet build: append: no earlier stage to build, so no Docker daemon is used;"
                + " no free-disk checks or pruning between batches");
    return new BuildTools(builder, Optional.empty(), Optional.empty(), Health.NONE);
  }

  /**
   * The builder of the run: the earlier stages built on {@code daemon} (present exactly when {@link
   * AppendPlan#needsEarlierStages()}), the layer written, the assembler ready.
   */
  public ImageBuilder builder(
      AppendPlan plan,
      Path sdist,
      String sdkCommit,
      Optional<DockerDaemon> daemon,
      RegistryTransport transport,
      Platform platform) {
    Path context = context(sdist);
    Map<String, Path> roots = new LinkedHashMap<>();
    daemon.ifPresent(d -> roots.putAll(exportStages(plan, d, context, sdist, sdkCommit)));
    Optional<AgentLayer> layer = Optional.empty();
    if (!plan.foldedRuns().isEmpty()) {
      err.println(
          "imagefleet build: append: folded into the agent layer (not run on each base): "
              + String.join(", ", plan.foldedRuns()));
    }
    if (plan.addsFiles()) {
      LayerBuilder layers =
          new LayerBuilder(context, roots::get, Optional.of(LayerBuilder.REPRODUCIBLE_MTIME));
      layer = Optional.of(layers.build(plan, dir.resolve("agent-layer.tar.gz")));
      err.println(
          "imagefleet build: append: agent layer "
              + layer.get().digest()
              + " ("
              + layer.get().size()
              + " bytes), built once for every image");
    }
    AppendAssembler assembler =
        new AppendAssembler(transport, platform, REGISTRY_ATTEMPTS, REGISTRY_BACKOFF);
    return new AppendImageBuilder(
        assembler, plan, layer, Instant.now().truncatedTo(ChronoUnit.SECONDS));
  }

  /** The context COPY reads from: the Dockerfile and a hard link to the sdist, as every image's. */
  private Path context(Path sdist) {
    try {
      if (Files.exists(dir)) {
        SafeFiles.deleteTree(dir, settings.output());
      }
      Files.createDirectories(settings.logs());
      Path context = Files.createDirectories(dir.resolve("context"));
      ImageContexts.fill(context, settings.dockerfile(), sdist);
      return context;
    } catch (IOException e) {
      throw new ImagefleetException(
          ExitCode.INTERNAL, "cannot prepare " + dir + " for append: " + e.getMessage(), e);
    }
  }

  /**
   * Builds each stage the layer copies from once, as its own target, and copies the paths the layer
   * reads out of it into a directory standing for that stage's root; the stage image goes.
   */
  private Map<String, Path> exportStages(
      AppendPlan plan, DockerDaemon daemon, Path context, Path sdist, String sdkCommit) {
    Map<String, String> args = args(settings, sdist.getFileName().toString(), sdkCommit);
    Map<String, Path> roots = new LinkedHashMap<>();
    // The plan's own text (for phased, the tail's, without the stages on ${BASE_IMAGE}); it leaves
    // the context before the layer reads it.
    Path stages = context.resolve(STAGES_DOCKERFILE);
    long start = System.nanoTime();
    try {
      Files.writeString(stages, plan.dockerfileText());
      plan.exportPaths()
          .forEach(
              (stage, paths) -> roots.put(stage, exportStage(stage, paths, daemon, context, args)));
      Files.delete(stages);
    } catch (IOException e) {
      throw new ImagefleetException(
          ExitCode.INTERNAL, "cannot write " + stages + ": " + e.getMessage(), e);
    }
    err.println(
        "imagefleet build: append: built stage(s) "
            + String.join(", ", roots.keySet())
            + " once through the Docker daemon in "
            + Math.round((System.nanoTime() - start) / 1e9)
            + " s");
    return roots;
  }

  /** Builds one stage as its own target and copies {@code paths} out of it; the image goes. */
  private Path exportStage(
      String stage,
      List<String> paths,
      DockerDaemon daemon,
      Path context,
      Map<String, String> args) {
    Path log = settings.logs().resolve("append-stages.log");
    String tag =
        "imagefleet-append-stage:"
            + SafeFiles.fileName(stage).replace('%', '-')
            + "-"
            + UUID.randomUUID().toString().substring(0, 8);
    Path root = dir.resolve("stages").resolve(SafeFiles.fileName(stage));
    try {
      daemon.buildImage(
          new EngineBuild(
              context, context.resolve(STAGES_DOCKERFILE), tag, stage, args, settings.network()),
          log,
          settings.imageTimeout());
      for (String path : paths) {
        daemon.exportPath(tag, path, root);
      }
      return root;
    } catch (StepFailure e) {
      throw stageFailure(stage, e, log);
    } finally {
      removeQuietly(daemon, tag);
    }
  }

  private static ImagefleetException stageFailure(String stage, StepFailure e, Path log) {
    if (e.unreachable()) {
      return e;
    }
    return ImagefleetException.invalidInput(
        "--builder append: building stage '"
            + stage
            + "' failed: "
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
