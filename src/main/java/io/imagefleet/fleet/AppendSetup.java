package io.imagefleet.fleet;

import io.imagefleet.ImagefleetException;
import io.imagefleet.LocalFailure;
import io.imagefleet.SafeFiles;
import io.imagefleet.append.assembly.AppendAssembler;
import io.imagefleet.append.dockerfile.AppendPlan;
import io.imagefleet.append.layer.AgentLayer;
import io.imagefleet.append.layer.AppendCache;
import io.imagefleet.append.layer.LayerBuilder;
import io.imagefleet.docker.DockerDaemon;
import io.imagefleet.registry.Platform;
import io.imagefleet.registry.RegistryClient;
import io.imagefleet.registry.RegistryTransport;
import io.imagefleet.sdist.SdistCache;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BiFunction;
import java.util.function.Supplier;

/**
 * What an append run does once, before any image: read the Dockerfile ({@link AppendPlan}), build
 * the earlier stages the layer copies from through the daemon and take only the copied paths out of
 * them, and write the one agent layer. The run's files live under {@code <output>/append/}; the
 * stage exports and the layer are kept by content key under {@code <cache-dir>/append/} ({@link
 * AppendCache}), so a later run with the same inputs builds neither.
 */
public final class AppendSetup {
  private static final int REGISTRY_ATTEMPTS = 5;
  private static final Duration REGISTRY_BACKOFF = Duration.ofSeconds(1);

  private final BuildSettings settings;
  private final PrintWriter err;
  private final Path dir;
  private final Path cacheDir;
  private final Optional<BuildxStages> buildx;

  /**
   * @param cacheDir the run's cache directory (the sdist's): stage exports and agent layers are
   *     kept under its {@code append/}
   */
  public AppendSetup(BuildSettings settings, PrintWriter err, Path cacheDir) {
    this(settings, err, cacheDir, Optional.empty());
  }

  private AppendSetup(
      BuildSettings settings, PrintWriter err, Path cacheDir, Optional<BuildxStages> buildx) {
    this.settings = settings;
    this.err = err;
    this.dir = settings.output().resolve("append");
    this.cacheDir = cacheDir;
    this.buildx = buildx;
  }

  /**
   * The same setup building the earlier stages on the builder {@code --buildx-builder} named
   * instead of the daemon (nothing without one).
   */
  public AppendSetup onBuildx(
      Optional<NamedBuilder> named, String dockerCli, Map<String, String> environment) {
    return new AppendSetup(
        settings, err, cacheDir, named.map(n -> new BuildxStages(dockerCli, environment, n)));
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
   * daemon connected only when one of them isn't in the cache, the layer written or reused. Images
   * are assembled in the registry, so there is no disk to watch and no daemon to ping while they
   * are.
   */
  public BuildTools tools(
      SdistCache.Sdist sdist,
      String sdkCommit,
      Supplier<? extends DockerDaemon> connect,
      RegistryTransport transport,
      Platform platform,
      BiFunction<String, Platform, String> platformBase) {
    AppendPlan plan = plan(settings, sdist.file().getFileName().toString(), sdkCommit);
    OnDemand daemon = new OnDemand(connect);
    ImageBuilder builder;
    try {
      builder =
          builder(plan, sdist.file(), sdkCommit, daemon, transport, platform)
              .forPlatforms(settings.platforms(), settings.missingPlatform(), platformBase);
    } finally {
      daemon.close();
    }
    String noChecks = "no free-disk checks or pruning between batches";
    err.println(
        daemon.connected() || buildx.isPresent()
            ? "imagefleet build: append: images are assembled in the registry; " + noChecks
            : plan.needsEarlierStages()
                ? "imagefleet build: append: every earlier stage came from the cache, so no Docker"
                    + " daemon is used; "
                    + noChecks
                : "imagefleet build: append: no earlier stage to build, so no Docker daemon is used; "
                    + noChecks);
    return new BuildTools(builder, Optional.empty(), Optional.empty(), Health.NONE);
  }

  /**
   * The builder of the run: the earlier stages exported (from the cache, else built on {@code
   * daemon}, asked for only then), the layer written or reused, the assembler ready. With several
   * platforms and a stage bound to one ({@link AppendType#platformBound}), that stage is built for
   * each platform and each platform gets its own layer; else one layer serves every image.
   */
  public AppendImageBuilder builder(
      AppendPlan plan,
      Path sdist,
      String sdkCommit,
      Supplier<? extends DockerDaemon> daemon,
      RegistryTransport transport,
      Platform platform) {
    Path context = context(sdist);
    AppendCache cache = cache();
    AppendKeys keys = keys(context, sdist, sdkCommit, platform, transport);
    StageExports exports =
        new StageExports(
            settings,
            err,
            dir,
            buildx,
            plan,
            daemon,
            context,
            args(settings, sdist.getFileName().toString(), sdkCommit),
            cache);
    Set<String> bound = platformBound(plan);
    Map<String, AppendCache.Stage> shared =
        plan.needsEarlierStages()
            ? exports.export(keys, s -> !bound.contains(s), Optional.empty())
            : Map.of();
    Map<Platform, Map<String, AppendCache.Stage>> perPlatform = new LinkedHashMap<>();
    if (!bound.isEmpty()) {
      for (Platform p : buildOrder()) {
        Map<String, AppendCache.Stage> stages = new LinkedHashMap<>(shared);
        stages.putAll(exports.export(keys.on(p), bound::contains, Optional.of(p)));
        perPlatform.put(p, stages);
      }
    }
    if (!plan.foldedRuns().isEmpty()) {
      err.println(
          "imagefleet build: append: folded into the agent layer (not run on each base): "
              + String.join(", ", plan.foldedRuns()));
    }
    Optional<AgentLayer> layer = Optional.empty();
    Map<Platform, AgentLayer> layers = new LinkedHashMap<>();
    if (plan.addsFiles() && perPlatform.isEmpty()) {
      layer = Optional.of(layer(plan, context, shared, keys, cache, "every image"));
    } else if (plan.addsFiles()) {
      perPlatform.forEach(
          (p, stages) ->
              layers.put(
                  p,
                  layer(plan, context, stages, keys, cache, "the " + p + " image of every index")));
    }
    AppendAssembler assembler =
        new AppendAssembler(transport, platform, REGISTRY_ATTEMPTS, REGISTRY_BACKOFF);
    return new AppendImageBuilder(
        assembler, plan, layer, layers, Instant.now().truncatedTo(ChronoUnit.SECONDS));
  }

  /**
   * The stages built once per platform: with several platforms, those a platform binds ({@link
   * AppendType#platformBound}); none for one.
   */
  private Set<String> platformBound(AppendPlan plan) {
    Set<String> bound = new TreeSet<>();
    if (settings.multiPlatform()) {
      plan.stageInputs()
          .forEach(
              (stage, inputs) -> {
                if (AppendType.platformBound(inputs)) {
                  bound.add(stage);
                }
              });
    }
    return bound;
  }

  /**
   * The platforms in the order their stages are built. The daemon keeps an image pulled for a
   * platform under its tag: it builds this machine's own last, so what later builds here find is
   * theirs.
   */
  private List<Platform> buildOrder() {
    List<Platform> order = new ArrayList<>(settings.platforms());
    if (buildx.isEmpty()) {
      order.sort(
          Comparator.comparing(p -> p.architecture().equals(AppendType.machineArchitecture())));
    }
    return order;
  }

  /** The layer from the cache when its key is there, else written once and kept. */
  private AgentLayer layer(
      AppendPlan plan,
      Path context,
      Map<String, AppendCache.Stage> stages,
      AppendKeys keys,
      AppendCache cache,
      String serves) {
    Map<String, String> trees = new LinkedHashMap<>();
    stages.forEach((name, stage) -> trees.put(name, stage.treeDigest()));
    Map<String, Path> roots = new LinkedHashMap<>();
    stages.forEach((name, stage) -> roots.put(name, stage.root()));
    LayerBuilder layers =
        new LayerBuilder(context, roots::get, Optional.of(LayerBuilder.REPRODUCIBLE_MTIME));
    // The stages' tree digests are in the key: a platform's own files make its own key.
    String key = keys.layer(plan, trees, LayerBuilder.REPRODUCIBLE_MTIME.getEpochSecond());
    AppendCache.Layer layer;
    try {
      layer = cache.layer(key, out -> layers.build(plan, out));
    } catch (IOException e) {
      throw cacheFailure(cache, e);
    }
    err.println(
        "imagefleet build: append: agent layer "
            + layer.layer().digest()
            + " ("
            + layer.layer().size()
            + " bytes), "
            + (layer.reused() ? "reused from the cache" : "built once")
            + " for "
            + serves);
    return layer.layer();
  }

  /** The cache beside the sdist's: {@code <cache-dir>/append}. */
  private AppendCache cache() {
    return new AppendCache(
        cacheDir.resolve("append"), note -> err.println("imagefleet build: append: " + note));
  }

  /** The cache directory can't be written: exit 2 naming --cache-dir. */
  static ImagefleetException cacheFailure(AppendCache cache, IOException e) {
    return ImagefleetException.invalidInput(
        "--cache-dir "
            + cache.directory().getParent()
            + ": cannot keep append's stage exports and layer there: "
            + e.getMessage()
            + "; pass a writable --cache-dir");
  }

  private AppendKeys keys(
      Path context, Path sdist, String sdkCommit, Platform platform, RegistryTransport transport) {
    Map<String, String> contextDigests;
    try {
      contextDigests = AppendKeys.contextDigests(context);
    } catch (IOException e) {
      throw new LocalFailure("cannot read " + context + ": " + e.getMessage(), e);
    }
    RegistryClient registry = new RegistryClient(transport);
    return new AppendKeys(
        args(settings, sdist.getFileName().toString(), sdkCommit),
        contextDigests.get(sdist.getFileName().toString()),
        platform.toString(),
        settings.network(),
        contextDigests,
        image -> Retagger.digestOf(image, registry));
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
      throw new LocalFailure("cannot prepare " + dir + " for append: " + e.getMessage(), e);
    }
  }

  /** A daemon connected on first use, closed here only if it was. */
  private static final class OnDemand implements Supplier<DockerDaemon> {
    private final Supplier<? extends DockerDaemon> connect;
    private DockerDaemon daemon;

    OnDemand(Supplier<? extends DockerDaemon> connect) {
      this.connect = connect;
    }

    @Override
    public DockerDaemon get() {
      if (daemon == null) {
        daemon = connect.get();
      }
      return daemon;
    }

    boolean connected() {
      return daemon != null;
    }

    void close() {
      if (daemon != null) {
        daemon.close();
      }
    }
  }
}
