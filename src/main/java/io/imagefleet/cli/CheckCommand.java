package io.imagefleet.cli;

import io.imagefleet.ImagefleetException;
import io.imagefleet.actions.ActionsEnvironment;
import io.imagefleet.actions.StepFiles;
import io.imagefleet.actions.WorkflowCommands;
import io.imagefleet.fleet.BuildPlanner;
import io.imagefleet.fleet.FleetCheck;
import io.imagefleet.fleet.ImageTags;
import io.imagefleet.fleet.PlannedImage;
import io.imagefleet.github.GitHubApi;
import io.imagefleet.registry.ImageReference;
import io.imagefleet.registry.Platform;
import io.imagefleet.registry.RegistryBudgets;
import io.imagefleet.registry.RegistryClient;
import io.imagefleet.sdist.SdkInput;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "check",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Lists which of the images a build would make the registry has and which it lacks (one HEAD"
          + " per tag; nothing is built), writes check.jsonl and exits 5 when any is missing."
    })
final class CheckCommand implements Callable<Integer> {
  private final ActionsEnvironment env;
  private final RegistryBudgets budgets;

  @Spec CommandSpec spec;

  @Mixin InstanceOptions instances = new InstanceOptions();
  @Mixin SdkOptions sdk = new SdkOptions();

  @Mixin TagOptions tags = new TagOptions();
  @Mixin GitHubOptions gitHub = new GitHubOptions();

  @Option(
      names = "--concurrency",
      defaultValue = "16",
      paramLabel = "N",
      description = "Registry requests at once (default: ${DEFAULT-VALUE}).")
  int concurrency;

  @Option(
      names = "--output",
      defaultValue = "imagefleet-out",
      paramLabel = "DIR",
      description = "Where check.jsonl is written (default: ${DEFAULT-VALUE}).")
  Path output;

  @Option(
      names = "--platform",
      paramLabel = "OS/ARCH[,..]",
      description =
          "Also check that each tag serves every one of these platforms (comma-separated, as"
              + " build's --platform): a tag lacking one counts as missing.")
  String platform;

  @Mixin RegistryOptions registryOptions = new RegistryOptions();

  CheckCommand(ActionsEnvironment env, RegistryBudgets budgets) {
    this.env = env;
    this.budgets = budgets;
  }

  @Override
  public Integer call() {
    PrintWriter err = spec.commandLine().getErr();
    ImagefleetException.requireAtLeast("--concurrency", concurrency, 1);
    OutputOptions.requireDirectory(output);
    instances.check();
    ImageReference repository = ImageReference.parse(tags.image);
    List<Platform> platforms = platform == null ? List.of() : Platform.parseList(platform);
    String commit = commit();
    List<PlannedImage> plan =
        BuildPlanner.plan(
            instances.source().instances(),
            platforms.isEmpty()
                ? instances.baseImageRule()
                : instances.baseImageRule().forPlatforms(platforms),
            repository,
            commit,
            tags.target);
    RegistryClient registry =
        new RegistryClient(
            registryOptions.transport(
                RegistryLogin.credentials(env, err, repository),
                budgets,
                4,
                Duration.ofSeconds(1)));
    RegistryBudgets.Usage before = budgets.usage();
    FleetCheck.Result result = new FleetCheck(registry, concurrency, platforms).check(plan);
    Path file = FleetCheck.write(output, result);
    String pattern = ImageTags.pattern(repository.repositoryName(), commit, tags.target);
    result.missing().forEach(e -> spec.commandLine().getOut().println(e.image()));
    result.missing().stream()
        .filter(e -> e.missingPlatforms() != null)
        .forEach(
            e ->
                err.println(
                    "imagefleet: check: "
                        + e.image()
                        + " lacks "
                        + String.join(", ", e.missingPlatforms())));
    err.printf(
        "imagefleet: check %s: %d expected, %d present, %d missing (%.1f s); wrote %s%n",
        pattern,
        result.entries().size(),
        result.present(),
        result.missing().size(),
        result.elapsed().toMillis() / 1000.0,
        file);
    RegistryOptions.printUsage(err, "check", budgets.usage().since(before));
    StepFiles steps = new StepFiles(env);
    steps.appendSummary(FleetCheck.summary(result, pattern));
    Map<String, String> outputs = new LinkedHashMap<>();
    outputs.put("present", String.valueOf(result.present()));
    outputs.put("missing", String.valueOf(result.missing().size()));
    outputs.put("check-report", file.toString());
    steps.setOutputs(outputs);
    return result.missing().isEmpty() ? ExitCode.OK.code() : ExitCode.BUILD_PARTIAL.code();
  }

  /** The SDK commit the tags carry; resolving it never builds an sdist. */
  private String commit() {
    SdistOptions commitOnly = new SdistOptions();
    commitOnly.sdkCommit = tags.sdkCommit;
    SdkInput input = sdk.input(commitOnly, gitHub.tokenEnv, env.variables());
    input.requireOneSource();
    if (input.sdk().isEmpty() && input.sdkRepo().isEmpty() && tags.sdkCommit == null) {
      throw ImagefleetException.invalidInput(
          "check needs the SDK commit of the tags: --sdk-commit SHA, --sdk DIR (its git HEAD), or"
              + " --sdk-repo with --sdk-ref");
    }
    Optional<GitHubApi> github =
        input.sdkRepo().isEmpty()
            ? Optional.empty()
            : Optional.of(
                gitHub.access(env, new WorkflowCommands(spec.commandLine().getErr())).connect());
    return input.commit(input.source(github));
  }
}
