package io.imagefleet.cli;

import io.imagefleet.ImagefleetException;
import io.imagefleet.actions.ActionsEnvironment;
import io.imagefleet.actions.StepFiles;
import io.imagefleet.actions.WorkflowCommands;
import io.imagefleet.dataset.DatasetReader;
import io.imagefleet.dataset.HuggingFaceRows;
import io.imagefleet.dataset.Instance;
import io.imagefleet.dataset.Selection;
import io.imagefleet.docker.BuildxCli;
import io.imagefleet.docker.CacheMode;
import io.imagefleet.docker.DockerJavaDaemon;
import io.imagefleet.docker.Units;
import io.imagefleet.fleet.BaseImageRule;
import io.imagefleet.fleet.BuildPlanner;
import io.imagefleet.fleet.BuildRunner;
import io.imagefleet.fleet.BuildSettings;
import io.imagefleet.fleet.BuildSummary;
import io.imagefleet.fleet.Builders;
import io.imagefleet.fleet.ImageBuilder;
import io.imagefleet.fleet.PlannedImage;
import io.imagefleet.github.BuildReport;
import io.imagefleet.github.GitHubApi;
import io.imagefleet.github.SdkSource;
import io.imagefleet.preflight.CachePruner;
import io.imagefleet.preflight.DiskProbe;
import io.imagefleet.preflight.HelperImages;
import io.imagefleet.preflight.ProbeMode;
import io.imagefleet.registry.Credentials;
import io.imagefleet.registry.ImageReference;
import io.imagefleet.registry.RegistryClient;
import io.imagefleet.sdist.GitHead;
import io.imagefleet.sdist.SdistCache;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "build",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Builds (and pushes) one agent image per benchmark instance: the SDK sdist once, images the"
          + " registry already has skipped, bounded workers over batches, local images removed after"
          + " push, a resumable manifest and a summary."
    })
final class BuildCommand implements Callable<Integer> {
  private final ActionsEnvironment env;

  @Spec CommandSpec spec;

  // Instances
  @Option(
      names = "--benchmark",
      defaultValue = "swe-bench",
      paramLabel = "NAME",
      description = "swe-bench, swt-bench or custom (default: ${DEFAULT-VALUE}).")
  String benchmark;

  @Option(
      names = "--dataset",
      required = true,
      paramLabel = "FILE|HF-ID",
      description = "JSONL, JSON array or text file of ids; or a Hugging Face dataset id.")
  String dataset;

  @Option(
      names = "--split",
      defaultValue = "test",
      paramLabel = "NAME",
      description = "Split of a Hugging Face dataset (default: ${DEFAULT-VALUE}).")
  String split;

  @Option(
      names = "--hf-endpoint",
      defaultValue = HuggingFaceRows.DEFAULT_ENDPOINT,
      paramLabel = "URL",
      description = "datasets-server endpoint (default: ${DEFAULT-VALUE}).")
  String hfEndpoint;

  @Option(
      names = "--instance-ids",
      split = ",",
      paramLabel = "ID",
      description = "Build only these instances (comma-separated).")
  List<String> instanceIds = new ArrayList<>();

  @Option(
      names = "--select",
      paramLabel = "FILE",
      description = "Build only the instances listed in FILE, one id a line.")
  Path select;

  @Option(
      names = "--n-limit",
      defaultValue = "0",
      paramLabel = "N",
      description = "Build a seeded sample of N instances; 0 = all.")
  int nLimit;

  @Option(
      names = "--seed",
      defaultValue = "42",
      paramLabel = "N",
      description = "Seed of the --n-limit sample (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(
      names = "--shard",
      defaultValue = "1/1",
      paramLabel = "i/K",
      description = "Build shard i of K of the sorted list (default: ${DEFAULT-VALUE}).")
  String shard;

  @Option(
      names = "--base-image-template",
      paramLabel = "REPO/{id}:TAG",
      description = "Base image per instance; {id} is the id lower-cased with __ as _1776_.")
  String baseImageTemplate;

  // SDK
  @Option(names = "--sdk", paramLabel = "DIR", description = "The SDK's source directory.")
  Path sdk;

  @Option(
      names = "--sdk-repo",
      paramLabel = "OWNER/NAME",
      description = "Take the SDK from this GitHub repository at --sdk-ref instead of --sdk.")
  String sdkRepo;

  @Option(
      names = "--sdk-ref",
      paramLabel = "REF",
      description = "Branch, tag or (short) SHA of --sdk-repo; resolved to the full commit SHA.")
  String sdkRef;

  @Option(
      names = "--report-status",
      description = "Set a commit status imagefleet/BENCHMARK on the SDK commit in --report-repo.")
  boolean reportStatus;

  @Option(
      names = "--report-repo",
      paramLabel = "OWNER/NAME",
      description =
          "Repository of the SDK commit for --report-status (default: --sdk-repo, else GITHUB_REPOSITORY).")
  String reportRepo;

  @Option(
      names = "--report-comment",
      paramLabel = "OWNER/NAME#N",
      description =
          "Post the summary as a comment on issue or pull request N, updating its own earlier one.")
  String reportComment;

  @Mixin GitHubOptions gitHub = new GitHubOptions();

  @Option(
      names = "--sdk-commit",
      paramLabel = "SHA",
      description = "SDK commit for tags (default: git rev-parse HEAD in --sdk).")
  String sdkCommit;

  @Option(
      names = "--sdist-command",
      defaultValue = "uv build --sdist --out-dir {out}",
      paramLabel = "CMD",
      description =
          "Builds the sdist in --sdk; {out} is its output directory (default: ${DEFAULT-VALUE}).")
  String sdistCommand;

  @Option(
      names = "--sdist",
      paramLabel = "FILE",
      description = "A prebuilt sdist instead of --sdist-command.")
  Path sdistFile;

  @Option(
      names = "--cache-dir",
      paramLabel = "DIR",
      description =
          "Where built sdists are kept (default: $XDG_CACHE_HOME/imagefleet or ~/.cache/imagefleet).")
  Path cacheDir;

  // Image
  @Option(
      names = "--dockerfile",
      paramLabel = "FILE",
      description = "Dockerfile of the agent layer (default: the bundled example).")
  Path dockerfile;

  @Option(
      names = "--target",
      defaultValue = "",
      paramLabel = "NAME",
      description = "Build stage; also the tag's last part.")
  String target;

  @Option(
      names = "--build-arg",
      paramLabel = "K=V",
      description = "Extra build argument (repeatable).")
  Map<String, String> buildArgs = new LinkedHashMap<>();

  @Option(
      names = "--secret",
      paramLabel = "id=NAME,env=VAR",
      description =
          "BuildKit secret mount (repeatable; id=NAME,env=VAR or id=NAME,src=FILE): a secret the"
              + " Dockerfile reads with RUN --mount=type=secret, never stored in the image. Needs buildx.")
  List<String> secrets = new ArrayList<>();

  @Option(
      names = "--image",
      required = true,
      paramLabel = "REPO",
      description = "Repository of the final images, e.g. ghcr.io/org/agent.")
  String image;

  @Option(
      names = "--push",
      negatable = true,
      defaultValue = "true",
      fallbackValue = "true",
      description = "Push each image and verify its digest (default: on; --no-push only builds).")
  boolean push;

  @Option(
      names = "--network",
      defaultValue = "default",
      paramLabel = "MODE",
      description = "Network of RUN steps: default, none or host (default: ${DEFAULT-VALUE}).")
  String network;

  @Option(
      names = "--builder",
      defaultValue = "auto",
      paramLabel = "KIND",
      description = "auto (buildx when present), buildx or engine (default: ${DEFAULT-VALUE}).")
  String builder;

  @Option(
      names = "--cache-mode",
      defaultValue = "off",
      converter = GenerateCommand.CacheModeConverter.class,
      paramLabel = "MODE",
      description = "buildx cache export: off, min, max or inline (default: ${DEFAULT-VALUE}).")
  CacheMode cacheMode;

  // Execution
  @Option(
      names = "--workers",
      defaultValue = "4",
      paramLabel = "N",
      description = "Images built at once (default: ${DEFAULT-VALUE}).")
  int workers;

  @Option(
      names = "--batch-size",
      defaultValue = "25",
      paramLabel = "N",
      description =
          "Images per batch; free disk is checked between batches (default: ${DEFAULT-VALUE}).")
  int batchSize;

  @Option(
      names = "--image-timeout",
      defaultValue = "33m",
      paramLabel = "DURATION",
      description = "Time limit of one image's build and push (default: ${DEFAULT-VALUE}).")
  String imageTimeout;

  @Option(
      names = "--deadline",
      paramLabel = "DURATION",
      description = "Stop starting images in time to finish by then (e.g. 5h30m).")
  String deadline;

  @Option(
      names = "--max-retries",
      defaultValue = "2",
      paramLabel = "N",
      description =
          "Retries of an image after a transient failure or a timeout (default: ${DEFAULT-VALUE}).")
  int maxRetries;

  @Option(
      names = "--retry-backoff",
      defaultValue = "5s",
      paramLabel = "DURATION",
      description = "Wait before the first retry; doubles each time (default: ${DEFAULT-VALUE}).")
  String retryBackoff;

  @Option(
      names = "--min-free-gb",
      defaultValue = "20",
      paramLabel = "N",
      description =
          "Free GiB on the data root below which build cache is pruned between batches, and the build stops if still short (default: ${DEFAULT-VALUE}).")
  int minFreeGb;

  @Option(
      names = "--keep-storage-gb",
      defaultValue = "20",
      paramLabel = "N",
      description = "Build cache GiB kept when pruning (default: ${DEFAULT-VALUE}).")
  int keepStorageGb;

  @Option(names = "--force", description = "Build images the registry already has.")
  boolean force;

  @Option(
      names = "--resume",
      description = "Build only what manifest.jsonl in --output doesn't show as built or skipped.")
  boolean resume;

  @Option(
      names = "--max-failures",
      defaultValue = "0",
      paramLabel = "N",
      description = "Failed images tolerated before exit code 5 (default: ${DEFAULT-VALUE}).")
  int maxFailures;

  @Option(
      names = "--output",
      defaultValue = "imagefleet-out",
      paramLabel = "DIR",
      description = "Logs, manifest.jsonl and the summary (default: ${DEFAULT-VALUE}).")
  Path output;

  @Option(
      names = "--dry-run",
      description = "Print instance, base, image and skip/build decision; build nothing.")
  boolean dryRun;

  @Mixin DockerOptions docker = new DockerOptions();

  @Mixin RegistryOptions registryOptions = new RegistryOptions();

  BuildCommand(ActionsEnvironment env) {
    this.env = env;
  }

  @Override
  public Integer call() {
    Credentials credentials = Credentials.load(env.variables());
    WorkflowCommands commands = new WorkflowCommands(spec.commandLine().getErr());
    credentials
        .warnings()
        .forEach(w -> spec.commandLine().getErr().println("imagefleet: warning: " + w));
    if (env.onRunner()) {
      // The runner hides the value from every later log line; elsewhere nothing prints it.
      env.variable("IMAGEFLEET_REGISTRY_PASSWORD").ifPresent(commands::addMask);
    }
    BuildSettings settings = settings();
    ImageReference repository = ImageReference.parse(image);
    BaseImageRule rule = new BaseImageRule(benchmark(), Optional.ofNullable(baseImageTemplate));
    List<Instance> instances = selection().apply(readDataset());
    if (instances.isEmpty()) {
      throw ImagefleetException.invalidInput(
          "no instances selected from --dataset "
              + dataset
              + "; check --instance-ids, --select and --shard");
    }
    Optional<GitHubApi> github = github(commands);
    Optional<SdkSource> source =
        github.filter(g -> sdkRepo != null).map(g -> new SdkSource(g, cacheDir()));
    String commit = source.map(s -> s.resolve(sdkRepo, sdkRef)).orElseGet(this::sdkCommit);
    List<PlannedImage> plan = BuildPlanner.plan(instances, rule, repository, commit, target);
    RegistryClient registry =
        new RegistryClient(
            credentials,
            registryOptions.insecureRegistries(),
            maxRetries + 3,
            Duration.ofSeconds(1));
    BuildRunner runner =
        new BuildRunner(
            settings,
            registry,
            spec.commandLine().getOut(),
            spec.commandLine().getErr(),
            new StepFiles(env),
            env.onRunner());
    Set<String> done = runner.alreadyDone(resume);
    runner.checkBases(plan);
    if (dryRun) {
      return runner.dryRun(plan, done);
    }
    source.ifPresent(s -> sdk = s.download(sdkRepo, commit).directory());
    SdistCache.Sdist sdist = sdist(settings);
    try (DockerJavaDaemon daemon =
        runner.untilConnected(plan, done, () -> DockerJavaDaemon.connect(env.variables()))) {
      HelperImages images = docker.helperImages(daemon, env);
      DiskProbe probe = new DiskProbe(daemon, ProbeMode.AUTO, images);
      BuildxCli buildx = docker.buildx(env);
      ImageBuilder imageBuilder =
          Builders.choose(
              builder, daemon, credentials, docker.dockerCli, env.variables(), cacheMode);
      if (!settings.secrets().isEmpty()
          && imageBuilder.buildxBuilder().isEmpty()
          && imageBuilder.name().equals("engine")) {
        throw ImagefleetException.invalidInput(
            "--secret needs BuildKit, which the engine builder can't reach through the API;"
                + " use --builder buildx (docker/setup-buildx-action)");
      }
      // Between batches, prune the cache of the builder the images are built on.
      CachePruner pruner =
          new CachePruner(
              daemon,
              buildx,
              imageBuilder.buildxBuilder().flatMap(buildx::builder).or(buildx::activeBuilder));
      BuildSummary summary =
          runner.build(
              plan,
              done,
              sdist,
              commit,
              imageBuilder,
              Optional.of(probe),
              Optional.of(pruner),
              image ->
                  daemon.ping()
                      ? Optional.empty()
                      : Optional.of("Docker daemon at " + daemon.endpoint()),
              resume);
      github.ifPresent(g -> report(g, summary, commit, repository));
      return runner.conclude(summary);
    }
  }

  /** A GitHub client when an option needs one: --sdk-repo or a report. */
  private Optional<GitHubApi> github(WorkflowCommands commands) {
    if ((sdkRepo == null) != (sdkRef == null)) {
      throw ImagefleetException.invalidInput("--sdk-repo and --sdk-ref go together");
    }
    if (sdkRepo != null && sdk != null) {
      throw ImagefleetException.invalidInput(
          "give the SDK once: --sdk DIR, or --sdk-repo with --sdk-ref");
    }
    if (reportComment != null && !reportComment.matches("[\\w.-]+/[\\w.-]+#\\d+")) {
      throw ImagefleetException.invalidInput(
          "--report-comment must look like OWNER/NAME#N, got '" + reportComment + "'");
    }
    if (sdkRepo == null && !reportStatus && reportComment == null) {
      return Optional.empty();
    }
    return Optional.of(gitHub.access(env, commands).connect());
  }

  private void report(
      GitHubApi github, BuildSummary summary, String commit, ImageReference repository) {
    Optional<String> runUrl = BuildReport.runUrl(env.variables());
    if (reportStatus) {
      String where =
          reportRepo != null
              ? reportRepo
              : sdkRepo != null ? sdkRepo : env.variable("GITHUB_REPOSITORY").orElse(null);
      if (where == null) {
        throw ImagefleetException.invalidInput(
            "--report-status needs --report-repo (or --sdk-repo, or GITHUB_REPOSITORY)");
      }
      github.setStatus(
          where,
          commit,
          BuildReport.state(summary.failed(), summary.stoppedEarly().isPresent(), maxFailures),
          runUrl.orElse(null),
          BuildReport.description(
              summary.built(), summary.skipped(), summary.failed(), summary.notStarted()),
          BuildReport.context(benchmark));
    }
    if (reportComment != null) {
      String[] parts = reportComment.split("#");
      String pattern =
          repository.repositoryName()
              + ":"
              + commit.substring(0, 7)
              + "-{custom}"
              + (target.isEmpty() ? "" : "-" + target);
      github.upsertComment(
          parts[0],
          Integer.parseInt(parts[1]),
          BuildReport.marker(benchmark),
          BuildReport.comment(benchmark, pattern, summary.markdown(), runUrl));
    }
  }

  private BuildSettings settings() {
    ImagefleetException.requireAtLeast("--workers", workers, 1);
    ImagefleetException.requireAtLeast("--batch-size", batchSize, 1);
    ImagefleetException.requireAtLeast("--max-retries", maxRetries, 0);
    ImagefleetException.requireAtLeast("--min-free-gb", minFreeGb, 0);
    ImagefleetException.requireAtLeast("--keep-storage-gb", keepStorageGb, 0);
    ImagefleetException.requireAtLeast("--max-failures", maxFailures, 0);
    ImagefleetException.requireAtLeast("--n-limit", nLimit, 0);
    if (!List.of("default", "none", "host").contains(network)) {
      throw ImagefleetException.invalidInput(
          "--network must be default, none or host, got '" + network + "'");
    }
    if (!List.of("auto", "buildx", "engine").contains(builder)) {
      throw ImagefleetException.invalidInput(
          "--builder must be auto, buildx or engine, got '" + builder + "'");
    }
    if (sdk == null && sdistFile == null && sdkRepo == null) {
      throw ImagefleetException.invalidInput(
          "give the SDK: --sdk DIR (its sdist is built once), or --sdist FILE with --sdk-commit");
    }
    if (sdistFile != null && !Files.isRegularFile(sdistFile)) {
      throw ImagefleetException.invalidInput("--sdist " + sdistFile + ": no such file");
    }
    return new BuildSettings(
        dockerfile(),
        target,
        buildArgs,
        network.equals("default") ? null : network,
        push,
        cacheMode,
        workers,
        batchSize,
        Durations.parse("--image-timeout", imageTimeout),
        Optional.ofNullable(deadline).map(d -> Durations.parse("--deadline", d)),
        maxRetries,
        Durations.parse("--retry-backoff", retryBackoff),
        minFreeGb * Units.GIB,
        keepStorageGb * Units.GIB,
        force,
        maxFailures,
        output,
        secrets());
  }

  private static final java.util.regex.Pattern SECRET =
      java.util.regex.Pattern.compile("id=[\\w.-]+,(?:env=\\w+|src=[^,]+)");
  private static final java.util.regex.Pattern SECRET_NAME =
      java.util.regex.Pattern.compile("(?i).*(TOKEN|PASSWORD|SECRET|KEY).*");

  /** Checks --secret specs, and warns about build args that look like secrets. */
  private List<String> secrets() {
    for (String secret : secrets) {
      if (!SECRET.matcher(secret).matches()) {
        throw ImagefleetException.invalidInput(
            "--secret must be id=NAME,env=VAR or id=NAME,src=FILE, got '" + secret + "'");
      }
    }
    buildArgs.keySet().stream()
        .filter(name -> SECRET_NAME.matcher(name).matches())
        .forEach(
            name ->
                spec.commandLine()
                    .getErr()
                    .println(
                        "imagefleet: warning: --build-arg "
                            + name
                            + " looks like a secret; build args stay in the pushed image's history."
                            + " Pass it as --secret id="
                            + name
                            + ",env="
                            + name
                            + " and read it with RUN --mount=type=secret,id="
                            + name));
    return secrets;
  }

  private String benchmark() {
    if (!List.of("swe-bench", "swt-bench", "custom").contains(benchmark)) {
      throw ImagefleetException.invalidInput(
          "--benchmark must be swe-bench, swt-bench or custom, got '" + benchmark + "'");
    }
    return benchmark;
  }

  private Selection selection() {
    Set<String> ids = new LinkedHashSet<>();
    instanceIds.stream().map(String::strip).filter(s -> !s.isEmpty()).forEach(ids::add);
    if (select != null) {
      try {
        Files.readAllLines(select).stream()
            .map(String::strip)
            .filter(s -> !s.isEmpty() && !s.startsWith("#"))
            .forEach(ids::add);
      } catch (IOException e) {
        throw ImagefleetException.invalidInput(
            "--select " + select + ": cannot read: " + e.getMessage());
      }
    }
    return new Selection(ids, nLimit, seed, Selection.Shard.parse(shard));
  }

  private List<Instance> readDataset() {
    Path file = Path.of(dataset);
    if (Files.exists(file)) {
      return DatasetReader.read(file);
    }
    if (dataset.matches("[\\w.-]+/[\\w.-]+")) {
      return new HuggingFaceRows(hfEndpoint, Duration.ofSeconds(2)).read(dataset, "default", split);
    }
    throw ImagefleetException.invalidInput(
        "--dataset " + dataset + ": no such file, and not a Hugging Face id (OWNER/NAME)");
  }

  private String sdkCommit() {
    String commit = sdkCommit;
    if (commit == null) {
      if (sdk == null) {
        throw ImagefleetException.invalidInput("--sdist needs --sdk-commit SHA");
      }
      commit = gitHead(sdk);
    }
    if (!commit.matches("[0-9a-fA-F]{7,40}")) {
      throw ImagefleetException.invalidInput(
          "--sdk-commit must be a commit SHA (7 to 40 hex digits), got '" + commit + "'");
    }
    return commit.toLowerCase(java.util.Locale.ROOT);
  }

  private static String gitHead(Path dir) {
    return GitHead.read(dir)
        .orElseThrow(
            () ->
                ImagefleetException.invalidInput(
                    "--sdk "
                        + dir
                        + ": no git commit found in "
                        + dir.resolve(".git")
                        + "; pass --sdk-commit SHA"));
  }

  private SdistCache.Sdist sdist(BuildSettings settings) {
    if (sdistFile != null) {
      return new SdistCache.Sdist(sdistFile.toAbsolutePath(), false);
    }
    return new SdistCache(cacheDir(), Duration.ofMinutes(30), env.variables())
        .obtain(sdk, sdistCommand, settings.logs().resolve("sdist.log"));
  }

  private Path cacheDir() {
    if (cacheDir != null) {
      return cacheDir;
    }
    return env.variable("XDG_CACHE_HOME")
        .filter(s -> !s.isBlank())
        .map(Path::of)
        .orElseGet(
            () -> Path.of(env.variable("HOME").orElse(System.getProperty("user.home")), ".cache"))
        .resolve("imagefleet");
  }

  private Path dockerfile() {
    if (dockerfile != null) {
      if (!Files.isRegularFile(dockerfile)) {
        throw ImagefleetException.invalidInput("--dockerfile " + dockerfile + ": no such file");
      }
      return dockerfile.toAbsolutePath();
    }
    try {
      // Outside --output: a run that ends on bad input or a dry run leaves nothing there.
      Path bundled = Files.createTempFile("imagefleet-agent-", ".Dockerfile");
      bundled.toFile().deleteOnExit();
      try (var in =
          BuildCommand.class.getResourceAsStream("/io/imagefleet/fleet/agent.Dockerfile")) {
        Files.write(bundled, in.readAllBytes());
      }
      return bundled.toAbsolutePath();
    } catch (IOException e) {
      throw new ImagefleetException(
          io.imagefleet.ExitCode.INTERNAL, "cannot extract the bundled Dockerfile: " + e, e);
    }
  }
}
