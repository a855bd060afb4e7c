package io.imagefleet.build;

import io.imagefleet.ExitCode;
import io.imagefleet.ImagefleetException;
import io.imagefleet.actions.StepFiles;
import io.imagefleet.preflight.CachePruner;
import io.imagefleet.preflight.DiskProbe;
import io.imagefleet.preflight.DiskSpace;
import io.imagefleet.registry.RegistryClient;
import io.imagefleet.sdist.SdistCache;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

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
  private final boolean onRunner;

  public BuildRunner(
      BuildSettings settings,
      RegistryClient registry,
      PrintWriter out,
      PrintWriter err,
      StepFiles stepFiles,
      boolean onRunner) {
    this.settings = settings;
    this.registry = registry;
    this.out = out;
    this.err = err;
    this.stepFiles = stepFiles;
    this.onRunner = onRunner;
  }

  /** Prints instance, base, image and the decision for each planned image; builds nothing. */
  public int dryRun(List<PlannedImage> plan, Set<String> alreadyDone) {
    out.println("instance\tbase\timage\tdecision");
    for (PlannedImage image : plan) {
      String decision;
      if (alreadyDone.contains(image.instance())) {
        decision = "done (manifest)";
      } else if (!settings.force() && registry.manifestDigest(image.image()).isPresent()) {
        decision = "skip (in registry)";
      } else {
        decision = "build";
      }
      out.println(
          image.instance() + "\t" + image.baseImage() + "\t" + image.image() + "\t" + decision);
    }
    out.flush();
    return ExitCode.OK.code();
  }

  /** The instances a resumed run need not build, from the manifest of the earlier run. */
  public Set<String> alreadyDone(boolean resume) {
    return resume ? Manifest.done(Manifest.read(settings.manifest())) : Set.of();
  }

  public BuildSummary build(
      List<PlannedImage> plan,
      Set<String> alreadyDone,
      SdistCache.Sdist sdist,
      String sdkCommit,
      ImageBuilder builder,
      Optional<DiskProbe> probe,
      Optional<CachePruner> pruner,
      boolean resume) {
    List<PlannedImage> todo =
        new ArrayList<>(plan.stream().filter(p -> !alreadyDone.contains(p.instance())).toList());
    long start = System.nanoTime();
    try {
      Files.createDirectories(settings.logs());
    } catch (IOException e) {
      throw ImagefleetException.invalidInput(
          "--output " + settings.output() + ": cannot write: " + e.getMessage());
    }
    Optional<Long> freeBefore = free(probe);
    err.println(
        "imagefleet build: "
            + todo.size()
            + " of "
            + plan.size()
            + " images to do"
            + (alreadyDone.isEmpty() ? "" : " (" + alreadyDone.size() + " already done)")
            + ", "
            + settings.workers()
            + " workers, batches of "
            + settings.batchSize()
            + ", builder "
            + builder.name()
            + ", sdist "
            + sdist.file().getFileName()
            + (sdist.built() ? " (built)" : " (cached)"));
    err.flush();
    BatchBuild.Result result;
    try (Manifest manifest = Manifest.open(settings.manifest(), resume);
        Progress progress = new Progress(err, onRunner, todo.size(), 60)) {
      result =
          new BatchBuild(
                  settings,
                  builder,
                  registry,
                  probe,
                  pruner,
                  manifest,
                  progress,
                  sdist.file(),
                  sdkCommit)
              .run(todo);
    }
    BuildSummary summary =
        BuildSummary.of(
            plan.size(),
            result.records(),
            alreadyDone.size(),
            (System.nanoTime() - start) / 1e9,
            freeBefore,
            free(probe),
            result.stoppedEarly(),
            builder.name(),
            sdist.built());
    try {
      summary.write(settings.output());
    } catch (IOException e) {
      throw new ImagefleetException(
          ExitCode.INTERNAL,
          "cannot write the summary to " + settings.output() + ": " + e.getMessage(),
          e);
    }
    stepFiles.appendSummary(summary.markdown());
    stepFiles.setOutputs(summary.outputs(settings.manifest()));
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
    err.flush();
    return summary;
  }

  /** The exit code of a finished build: 0, or 5 when it stopped early or too many images failed. */
  public int conclude(BuildSummary summary) {
    if (summary.stoppedEarly().isPresent()) {
      throw new ImagefleetException(
          ExitCode.BUILD_PARTIAL,
          "stopped early: "
              + summary.stoppedEarly().get()
              + "; rerun with --resume to build the rest");
    }
    if (summary.failed() > settings.maxFailures()) {
      throw new ImagefleetException(
          ExitCode.BUILD_PARTIAL,
          summary.failed()
              + " image(s) failed (allowed: "
              + settings.maxFailures()
              + "); see "
              + settings.output().resolve("summary.md")
              + " and the logs");
    }
    return ExitCode.OK.code();
  }

  private static Optional<Long> free(Optional<DiskProbe> probe) {
    return probe.flatMap(p -> p.dataRoot().space()).map(DiskSpace::freeBytes);
  }
}
