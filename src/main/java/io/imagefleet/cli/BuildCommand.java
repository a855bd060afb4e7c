package io.imagefleet.cli;

import io.imagefleet.actions.ActionsEnvironment;
import io.imagefleet.actions.StepFiles;
import io.imagefleet.actions.WorkflowCommands;
import io.imagefleet.dataset.Instance;
import io.imagefleet.fleet.BaseImageRule;
import io.imagefleet.fleet.BuildAudience;
import io.imagefleet.fleet.BuildReporter;
import io.imagefleet.fleet.BuildSettings;
import io.imagefleet.fleet.BuilderContext;
import io.imagefleet.fleet.FleetBuild;
import io.imagefleet.github.GitHubApi;
import io.imagefleet.registry.Credentials;
import io.imagefleet.registry.ImageReference;
import io.imagefleet.registry.RegistryBudgets;
import io.imagefleet.registry.RegistryClient;
import io.imagefleet.sdist.SdkInput;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(
    name = "build",
    resourceBundle = "io.imagefleet.cli.build",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Builds (and pushes) one agent image per benchmark instance: the SDK sdist once, images the"
          + " registry already has skipped, a pool of bounded workers, local images removed after"
          + " push, a resumable manifest and a summary."
    })
final class BuildCommand implements Callable<Integer> {
  private final ActionsEnvironment env;
  private final RegistryBudgets budgets;

  @Spec CommandSpec spec;

  // The order of the mixins is the order of --help and of action.yml's inputs.
  @Mixin InstanceOptions instances = new InstanceOptions();
  @Mixin SdkOptions sdk = new SdkOptions();
  @Mixin ReportOptions reports = new ReportOptions();
  @Mixin GitHubOptions gitHub = new GitHubOptions();
  @Mixin SdistOptions sdist = new SdistOptions();
  @Mixin ImageOptions image = new ImageOptions();
  @Mixin ScheduleOptions schedule = new ScheduleOptions();
  @Mixin OutputOptions output = new OutputOptions();
  @Mixin DockerOptions docker = new DockerOptions();
  @Mixin RegistryOptions registryOptions = new RegistryOptions();

  BuildCommand(ActionsEnvironment env, RegistryBudgets budgets) {
    this.env = env;
    this.budgets = budgets;
  }

  @Override
  public Integer call() {
    PrintWriter err = spec.commandLine().getErr();
    WorkflowCommands commands = new WorkflowCommands(err);
    maskPassword(commands);
    SdkInput sdkInput = sdk.input(sdist, gitHub.tokenEnv, env.variables());
    BuildSettings settings = schedule.settings(instances, image, output, sdkInput, err);
    ImageReference repository = ImageReference.parse(image.image);
    Credentials credentials = credentials(err, repository);
    BaseImageRule rule =
        instances.baseImageRule().mirroredIn(image.baseMirror()).forPlatforms(image.platforms());
    List<Instance> selected = instances.source().instances();
    Optional<GitHubApi> github = github(sdkInput, commands);
    FleetBuild.Request request =
        new FleetBuild.Request(
            settings,
            new FleetBuild.Selection(
                selected, rule, repository, image.target, schedule.resume, output.dryRun),
            sdkInput,
            sdkInput.source(github),
            image.builder,
            docker.access(env),
            new BuilderContext.Options(
                image.platform(),
                image.attestations(),
                image.cacheMode,
                sdkInput.cacheDirectory(),
                rule::platformBase,
                image.buildxBuilder()),
            credentials,
            schedule.history(settings.manifest()),
            github.map(g -> new FleetBuild.Reporting(g, reportRequest(sdkInput), env.variables())));
    new FleetBuild(
            request,
            registry(credentials),
            new FleetBuild.Console(
                spec.commandLine().getOut(),
                err,
                new StepFiles(env),
                BuildAudience.of(env, System.console() != null)))
        .run();
    return ExitCode.OK.code();
  }

  /** The run's one registry client: every registry call of the build goes through it. */
  private RegistryClient registry(Credentials credentials) {
    return new RegistryClient(
        registryOptions.transport(
            credentials, budgets, schedule.maxRetries + 3, Duration.ofSeconds(1)));
  }

  /** A GitHub client when an option needs one: --sdk-repo or a report. */
  private Optional<GitHubApi> github(SdkInput sdkInput, WorkflowCommands commands) {
    sdkInput.requireOneSource();
    BuildReporter.checkComment(reports.comment());
    if (sdkInput.sdkRepo().isEmpty() && !reports.any()) {
      return Optional.empty();
    }
    return Optional.of(gitHub.access(env, commands).connect());
  }

  private BuildReporter.Request reportRequest(SdkInput sdkInput) {
    return reports.request(
        instances.benchmark().id(), sdkInput.sdkRepo(), schedule.maxFailures, image.target);
  }

  /**
   * Registry credentials (the IMAGEFLEET_REGISTRY_* login for the --image registry only); their
   * warnings printed, and on a runner the password masked.
   */
  private Credentials credentials(PrintWriter err, ImageReference repository) {
    Credentials credentials = Credentials.load(env.variables(), repository);
    credentials.warnings().forEach(w -> err.println("imagefleet: warning: " + w));
    return credentials;
  }

  /** On a runner, the password is masked before anything else is printed. */
  private void maskPassword(WorkflowCommands commands) {
    if (env.onRunner()) {
      // The runner hides the value from every later log line; elsewhere nothing prints it.
      env.variable("IMAGEFLEET_REGISTRY_PASSWORD").ifPresent(commands::addMask);
    }
  }
}
