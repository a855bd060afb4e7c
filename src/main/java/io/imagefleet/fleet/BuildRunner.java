package io.imagefleet.fleet;

import io.imagefleet.ImagefleetException;
import io.imagefleet.Incomplete;
import io.imagefleet.PeerFailure;
import io.imagefleet.SafeFiles;
import io.imagefleet.actions.StepFiles;
import io.imagefleet.docker.StepFailure;
import io.imagefleet.preflight.DiskProbe;
import io.imagefleet.preflight.DiskSpace;
import io.imagefleet.registry.ImageReference;
import io.imagefleet.registry.RegistryBudgets;
import io.imagefleet.registry.RegistryClient;
import io.imagefleet.registry.RegistryUsage;
import io.imagefleet.report.MermaidCharts;
import io.imagefleet.report.Reports;
import io.imagefleet.sdist.SdistCache;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The build from plan to report: resume filtering, the dry-run listing, the batch build, then the
 * summary (files, step summary, outputs) and the exit code.
 */
public final class BuildRunner {
  private final BuildSettings settings;
  private final RegistryClient registry;
  private final PrintWriter out;
  private final PrintWriter err;
  private final StepFiles stepFiles;
  private final BuildAudience audience;
  private final RegistryBudgets.Usage registryBefore;

  public BuildRunner(
      BuildSettings settings,
      RegistryClient registry,
      PrintWriter out,
      PrintWriter err,
      StepFiles stepFiles,
      BuildAudience audience) {
    this.settings = settings;
    this.registry = registry;
    this.out = out;
    this.err = err;
    this.stepFiles = stepFiles;
    this.audience = audience;
    this.registryBefore = registry.transport().budgets().usage();
  }

  /**
   * Prints instance, base, image and the decision for each planned image, then (on the error
   * stream) what the plan asks of each registry and how long its budget makes that; builds nothing.
   */
  public void dryRun(
      List<PlannedImage> plan,
      Set<String> alreadyDone,
      BuilderTypes.Choice choice,
      BaseImageRule rule) {
    out.println("instance\tbase\timage\tdecision");
    List<PlannedImage> checked = new ArrayList<>();
    List<PlannedImage> toBuild = new ArrayList<>();
    for (PlannedImage image : plan) {
      String decision;
      if (alreadyDone.contains(image.instance())) {
        decision = "done (manifest)";
      } else if (!settings.force() && registry.manifestDigest(image.image()).isPresent()) {
        checked.add(image);
        decision = "skip (in registry)";
      } else {
        if (!settings.force()) {
          checked.add(image);
        }
        toBuild.add(image);
        decision = "build";
      }
      out.println(
          image.instance() + "\t" + image.baseImage() + "\t" + image.image() + "\t" + decision);
    }
    out.flush();
    RegistryDemand.of(checked, toBuild, choice, rule.platforms(), rule::platformBase)
        .lines(registry.transport().budgets())
        .forEach(line -> err.println("imagefleet build --dry-run: " + line));
    err.flush();
  }

  /**
   * Base references Docker would refuse: more than {@code --max-failures} of them end the run
   * before any build (exit 2, all named); fewer fail just their images.
   */
  public void checkBases(List<PlannedImage> plan) {
    List<String> bad =
        plan.stream()
            .flatMap(
                p ->
                    BaseImageRule.problem(p.baseImage()).map(m -> p.instance() + ": " + m).stream())
            .toList();
    if (bad.size() > settings.maxFailures()) {
      throw ImagefleetException.invalidInput(
          bad.size()
              + " base image reference(s) are invalid (allowed by --max-failures: "
              + settings.maxFailures()
              + "): "
              + String.join("; ", bad)
              + "; fix the dataset or --base-image-template");
    }
  }

  /**
   * Connects to what the build needs; when that fails, the report still says what was planned
   * (nothing started) before the failure ends the run.
   */
  public <T> T untilConnected(
      List<PlannedImage> plan, Set<String> alreadyDone, java.util.function.Supplier<T> connect) {
    return before(plan, alreadyDone, "unreachable", connect);
  }

  /**
   * Prepares what the build needs (append: earlier stages and the layer); when that fails, the
   * report still says what was planned (nothing started) before the failure ends the run.
   */
  public <T> T untilReady(
      List<PlannedImage> plan, Set<String> alreadyDone, java.util.function.Supplier<T> prepare) {
    return before(plan, alreadyDone, "not started", prepare);
  }

  private <T> T before(
      List<PlannedImage> plan,
      Set<String> alreadyDone,
      String stop,
      java.util.function.Supplier<T> work) {
    try {
      return work.get();
    } catch (ImagefleetException e) {
      String why = unreachable(e) ? "unreachable" : stop;
      writeReport(
          BuildSummary.of(
              plan.size(),
              List.of(),
              alreadyDone.size(),
              0,
              Optional.empty(),
              Optional.empty(),
              Optional.of(why),
              "none",
              false));
      throw e;
    }
  }

  /**
   * The --image registry, and the registry of each base still to build, must answer before the
   * sdist is built or any image started: when one doesn't, exit 4 within seconds naming it (the
   * report written), not after the first builds. A base registry only the Docker daemon reads
   * (engine, buildx: it may pull through a mirror of its own) gets a warning instead.
   */
  public void requireRegistriesAnswer(
      List<PlannedImage> plan,
      Set<String> alreadyDone,
      ImageReference repository,
      boolean basesReadHere,
      java.io.PrintWriter err) {
    untilConnected(
        plan,
        alreadyDone,
        () -> {
          if (settings.push() && !registry.answers(repository)) {
            throw new PeerFailure(
                "the --image registry "
                    + repository.registry()
                    + " does not answer at "
                    + registry.repository(repository).scheme()
                    + "://"
                    + repository.apiHost()
                    + "/v2/; check the name and the network (plain HTTP needs"
                    + " --insecure-registry)");
          }
          for (ImageReference base : baseRegistries(plan, alreadyDone, repository)) {
            if (registry.answers(base)) {
              continue;
            }
            String problem =
                "the registry "
                    + base.registry()
                    + " of base "
                    + base
                    + " does not answer at "
                    + registry.repository(base).scheme()
                    + "://"
                    + base.apiHost()
                    + "/v2/";
            if (basesReadHere) {
              throw new PeerFailure(
                  problem
                      + "; check the name and the network (plain HTTP needs --insecure-registry),"
                      + " or mirror the bases: imagefleet mirror");
            }
            err.println(
                "imagefleet build: warning: " + problem + "; the Docker daemon may reach it");
            err.flush();
          }
          return true;
        });
  }

  /** One base per registry host the plan still needs, the target's own host left out. */
  private static List<ImageReference> baseRegistries(
      List<PlannedImage> plan, Set<String> alreadyDone, ImageReference target) {
    java.util.Map<String, ImageReference> byHost = new java.util.LinkedHashMap<>();
    for (PlannedImage image : plan) {
      if (alreadyDone.contains(image.instance())
          || BaseImageRule.problem(image.baseImage()).isPresent()) {
        continue;
      }
      ImageReference base;
      try {
        base = io.imagefleet.registry.BaseName.parse(image.baseImage()).image();
      } catch (ImagefleetException e) {
        continue; // that image fails on its own
      }
      if (!base.registry().equals(target.registry())) {
        byHost.putIfAbsent(base.registry(), base);
      }
    }
    return List.copyOf(byHost.values());
  }

  /** The instances a resumed run need not build, from the manifest of the earlier run. */
  public Set<String> alreadyDone(boolean resume) {
    return resume ? Manifest.done(Manifest.read(settings.manifest())) : Set.of();
  }

  /**
   * Builds the plan and writes the report (summary files, step summary, outputs) on every way out:
   * a finished plan, an early stop, a signal (a shutdown hook cancels what is in flight and waits
   * for the report) and an unexpected error (what was done so far).
   */
  public BuildSummary build(BuildInputs inputs, BuildTools tools) {
    List<PlannedImage> todo =
        new ArrayList<>(
            inputs.plan().stream()
                .filter(p -> !inputs.alreadyDone().contains(p.instance()))
                .toList());
    long start = System.nanoTime();
    previous = inputs.history().previousRun();
    createLogs();
    Optional<Long> freeBefore = free(tools.probe());
    announce(inputs, tools.builder(), todo.size());
    CountDownLatch reported = new CountDownLatch(1);
    BatchBuild.Result result = null;
    Optional<String> interrupted = Optional.empty();
    BuildSummary summary;
    try (Manifest manifest = Manifest.open(settings.manifest(), inputs.resume());
        Progress progress = progress(todo.size())) {
      BatchBuild batch =
          new BatchBuild(
              settings,
              tools,
              registry,
              manifest,
              progress,
              inputs,
              Retagger.of(
                  settings, inputs, registry, tools.builder().type().capabilities().readsBases()));
      result = runCancellable(batch, todo, reported);
    } catch (RuntimeException e) {
      interrupted = Optional.of("error");
      throw e;
    } finally {
      unreachable = result != null ? result.unreachable() : Optional.empty();
      summary = summarize(inputs, tools, todo, result, interrupted, start, freeBefore);
      tools.builder().traffic().ifPresent(t -> err.println("imagefleet build: " + t));
      report(summary);
      reported.countDown();
    }
    return summary;
  }

  private void createLogs() {
    try {
      SafeFiles.createSharedDirectories(settings.logs());
    } catch (IOException e) {
      throw ImagefleetException.invalidInput(
          "--output " + settings.output() + ": cannot write: " + e.getMessage());
    }
  }

  /** One live line at a terminal; numbered lines and a heartbeat elsewhere. */
  private Progress progress(int todo) {
    return audience.terminal()
        ? Progress.live(err, todo, settings.workers())
        : new Progress(err, audience.onRunner(), todo, 60);
  }

  private void announce(BuildInputs inputs, ImageBuilder builder, int todo) {
    SdistCache.Sdist sdist = inputs.sdist();
    int done = inputs.alreadyDone().size();
    err.println(
        "imagefleet build: "
            + todo
            + " of "
            + inputs.plan().size()
            + " images to do"
            + (done == 0 ? "" : " (" + done + " already done)")
            + ", "
            + settings.workers()
            + " workers, disk checked every "
            + settings.batchSize()
            + " starts, builder "
            + builder.name()
            + ", sdist "
            + sdist.file().getFileName()
            + (sdist.built() ? " (built)" : " (cached)"));
    err.flush();
  }

  /** Runs the batch; a signal meanwhile cancels it and waits for the report. */
  private BatchBuild.Result runCancellable(
      BatchBuild batch, List<PlannedImage> todo, CountDownLatch reported) {
    Thread hook = new Thread(() -> cancelAndWait(batch, reported), "imagefleet-cancel");
    Runtime.getRuntime().addShutdownHook(hook);
    try {
      return batch.run(todo);
    } finally {
      removeHook(hook);
    }
  }

  /** The summary of a finished batch, or of what the manifest shows when it ended abruptly. */
  private BuildSummary summarize(
      BuildInputs inputs,
      BuildTools tools,
      List<PlannedImage> todo,
      BatchBuild.Result result,
      Optional<String> interrupted,
      long start,
      Optional<Long> freeBefore) {
    List<ManifestRecord> records =
        result != null
            ? result.records()
            : Manifest.read(settings.manifest()).values().stream()
                .filter(r -> todo.stream().anyMatch(p -> p.instance().equals(r.instance())))
                .toList();
    Optional<String> stopped = result != null ? result.stoppedEarly() : interrupted;
    double diskWait = result != null ? result.diskWaitSeconds() : 0;
    return BuildSummary.of(
            inputs.plan().size(),
            records,
            inputs.alreadyDone().size(),
            (System.nanoTime() - start) / 1e9,
            freeBefore,
            free(tools.probe()),
            stopped,
            tools.builder().summaryName(),
            inputs.sdist().built())
        .withUnmeasuredDisk(tools.builder().unmeasuredDisk())
        .withDiskWait(diskWait);
  }

  /** The run the report compares with: {@code --history}'s, read before this run writes. */
  private Optional<Reports.PreviousRun> previous = Optional.empty();

  /** What stopped answering, when the last run stopped for it: {@link #conclude} exits 4. */
  private Optional<String> unreachable = Optional.empty();

  /** From the shutdown hook: a signal (a cancelled workflow) ends the run with its report. */
  private void cancelAndWait(BatchBuild batch, CountDownLatch reported) {
    err.println(
        "imagefleet build: cancelled; stopping the images in flight and writing the report");
    err.flush();
    batch.cancel();
    try {
      reported.await(9, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void removeHook(Thread hook) {
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException e) {
      // The JVM is already shutting down: the hook is running and waits for the report.
    }
  }

  /** Summary files, step summary, outputs and the closing console line; never throws. */
  private void report(BuildSummary summary) {
    writeReport(summary);
    err.println(
        "imagefleet build: built "
            + summary.built()
            + ", skipped "
            + summary.skipped()
            + ", failed "
            + summary.failed()
            + ", not started "
            + summary.notStarted()
            + "; report in "
            + settings.output());
    registriesUsed().forEach(u -> err.println("imagefleet build: registry " + u.line()));
    err.flush();
  }

  private void writeReport(BuildSummary unmetered) {
    BuildSummary summary = unmetered.withRegistries(registriesUsed());
    String reportLine =
        MermaidCharts.reportLine(settings.output(), audience.artifact(), audience.runUrl());
    try {
      SafeFiles.createSharedDirectories(settings.output());
      summary.write(settings.output(), reportLine);
    } catch (IOException e) {
      err.println(
          "imagefleet: cannot write the summary to " + settings.output() + ": " + e.getMessage());
    }
    Optional<String> comparison = Optional.empty();
    try {
      comparison =
          Reports.write(
                  List.of(settings.output()), settings.output().resolve(Reports.FILE), previous)
              .comparison();
    } catch (RuntimeException e) {
      err.println("imagefleet: cannot write " + Reports.FILE + ": " + e.getMessage());
    }
    if (comparison.isPresent()) {
      // The comparison reads this run's summary.json; summary.md gets its line after.
      reportLine = reportLine + comparison.get();
      try {
        summary.write(settings.output(), reportLine);
      } catch (IOException e) {
        err.println(
            "imagefleet: cannot write the summary to " + settings.output() + ": " + e.getMessage());
      }
    }
    stepFiles.appendSummary(summary.markdown(reportLine));
    stepFiles.setOutputs(summary.outputs(settings.manifest()));
  }

  /** What each registry's budget counted since this runner was made. */
  private List<RegistryUsage> registriesUsed() {
    return registry.transport().budgets().usage().since(registryBefore);
  }

  /**
   * A finished build's outcome: nothing when it is done; a peer failure when the daemon or a
   * registry stopped answering; incomplete when it stopped early or too many images failed.
   */
  public void conclude(BuildSummary summary) {
    if (unreachable.isPresent()) {
      throw new PeerFailure(
          unreachable.get()
              + " stopped answering after "
              + (summary.built() + summary.skipped())
              + " images; start it and rerun with --resume");
    }
    if (summary.stoppedEarly().isPresent()) {
      throw new Incomplete(
          "stopped early: "
              + summary.stoppedEarly().get()
              + "; rerun with --resume to build the rest");
    }
    if (summary.failed() > settings.maxFailures()) {
      throw new Incomplete(
          summary.failed()
              + " image(s) failed (allowed: "
              + settings.maxFailures()
              + "); see "
              + settings.output().resolve("summary.md")
              + " and the logs");
    }
  }

  /** A peer that did not answer, as the report names the stop: not the image's own failure. */
  private static boolean unreachable(ImagefleetException e) {
    return e instanceof StepFailure step
        ? step.unreachable() || step.timedOut()
        : e instanceof PeerFailure;
  }

  /** Free bytes on the data root; unknown when the daemon is gone (the report still goes out). */
  private static Optional<Long> free(Optional<DiskProbe> probe) {
    try {
      return probe.flatMap(p -> p.dataRoot().space()).map(DiskSpace::freeBytes);
    } catch (ImagefleetException e) {
      return Optional.empty();
    }
  }
}
