package io.imagefleet.fleet;

import io.imagefleet.actions.StepFiles;
import io.imagefleet.dataset.Instance;
import io.imagefleet.github.GitHubApi;
import io.imagefleet.github.SdkSource;
import io.imagefleet.registry.Credentials;
import io.imagefleet.registry.ImageReference;
import io.imagefleet.registry.RegistryClient;
import io.imagefleet.sdist.SdistCache;
import io.imagefleet.sdist.SdkInput;
import java.io.PrintWriter;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * {@code imagefleet build} from a checked request to its exit code: the plan, the builder chosen,
 * the registries reached, the sdist, the builder prepared, the images built, the report.
 */
public final class FleetBuild {
  /**
   * What to build: the instances, the rule naming their bases, the repository (and the Dockerfile
   * target a tag names), and whether a resumed run skips what the manifest says is done.
   */
  public record Selection(
      List<Instance> instances,
      BaseImageRule rule,
      ImageReference repository,
      String target,
      boolean resume,
      boolean dryRun) {}

  /** A report on GitHub after the build (a commit status, a comment), and the client for it. */
  public record Reporting(
      GitHubApi github, BuildReporter.Request request, Map<String, String> environment) {}

  /** Where the run speaks: stdout, stderr, the runner's step files, and who reads them. */
  public record Console(
      PrintWriter out, PrintWriter err, StepFiles stepFiles, BuildAudience audience) {}

  /** A build, every option already checked. */
  public record Request(
      BuildSettings settings,
      Selection selection,
      SdkInput sdk,
      Optional<SdkSource> sdkSource,
      String builder,
      BuilderContext.Docker docker,
      BuilderContext.Options options,
      Credentials credentials,
      History history,
      Optional<Reporting> reporting) {}

  private final Request request;
  private final RegistryClient registry;
  private final Console console;

  public FleetBuild(Request request, RegistryClient registry, Console console) {
    this.request = request;
    this.registry = registry;
    this.console = console;
  }

  /**
   * Builds and reports; a run that did not get everything done ends in what happened, thrown
   * ({@link io.imagefleet.Incomplete}, {@link io.imagefleet.PeerFailure}, …).
   */
  public void run() {
    BuildSettings settings = request.settings();
    Selection selection = request.selection();
    PrintWriter err = console.err();
    String commit = request.sdk().commit(request.sdkSource());
    History history = request.history();
    List<PlannedImage> plan =
        history.slowestFirst(
            BuildPlanner.plan(
                selection.instances(),
                selection.rule(),
                selection.repository(),
                commit,
                selection.target()));
    BuildRunner runner =
        new BuildRunner(
            settings, registry, console.out(), err, console.stepFiles(), console.audience());
    Set<String> done = runner.alreadyDone(selection.resume());
    runner.checkBases(plan);
    BuildSummary summary;
    try (BuilderContext run =
        new BuilderContext(
            settings,
            commit,
            registry,
            request.credentials(),
            request.docker(),
            request.options(),
            err)) {
      BuilderTypes.Choice choice = BuilderTypes.choose(request.builder(), run);
      if (request.builder().equals(BuilderTypes.AUTO)) {
        err.println("imagefleet build: builder auto: " + choice.autoLine());
      }
      if (selection.dryRun()) {
        runner.dryRun(plan, done, choice, selection.rule());
        return;
      }
      run.namedBuilder(); // --buildx-builder checked once, before the sdist
      runner.requireRegistriesAnswer(
          plan, done, selection.repository(), choice.type().capabilities().readsBases(), err);
      SdistCache.Sdist sdist =
          request.sdk().sdist(request.sdkSource(), commit, settings.logs().resolve("sdist.log"));
      BuildInputs inputs = new BuildInputs(plan, done, sdist, commit, selection.resume(), history);
      BuildTools tools = runner.untilReady(plan, done, () -> choice.type().prepare(run, inputs));
      summary = runner.build(inputs, tools);
    }
    request
        .reporting()
        .ifPresent(
            r ->
                new BuildReporter(r.github(), r.request(), r.environment())
                    .report(summary, commit, selection.repository()));
    runner.conclude(summary);
  }
}
