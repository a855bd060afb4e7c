package io.imagefleet.cli;

import io.imagefleet.ImagefleetException;
import io.imagefleet.actions.ActionsEnvironment;
import io.imagefleet.actions.WorkflowCommands;
import io.imagefleet.github.RunFollower;
import io.imagefleet.registry.ImageReference;
import io.imagefleet.registry.RegistryBudgets;
import io.imagefleet.registry.RegistryClient;
import io.imagefleet.registry.RepositoryApi;
import io.imagefleet.retain.GitHubPackageDeleter;
import io.imagefleet.retain.ManifestDeleter;
import io.imagefleet.retain.RegistryDeleter;
import io.imagefleet.retain.Retention;
import io.imagefleet.retain.RetentionPolicy;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "retain",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Deletes the images of all but the K most recent SDK commits (and those younger than D days)"
          + " from a repository, never a manifest a kept tag or kept index uses; prints what it"
          + " deletes and the bytes freed."
    })
final class RetainCommand implements Callable<Integer> {
  private final ActionsEnvironment env;

  @Spec CommandSpec spec;

  @Option(
      names = "--image",
      required = true,
      paramLabel = "REPO",
      description = "Repository of the final images, e.g. ghcr.io/org/agent.")
  String image;

  @Option(
      names = "--keep-commits",
      required = true,
      paramLabel = "K",
      description = "Keep every image of the K most recent SDK commits in the tags.")
  int keepCommits;

  @Option(
      names = "--keep-days",
      paramLabel = "D",
      description = "Also keep any image created less than D days ago.")
  Integer keepDays;

  @Option(
      names = "--dry-run",
      description = "Print what would be deleted and the bytes it frees; delete nothing.")
  boolean dryRun;

  @Option(
      names = "--concurrency",
      defaultValue = "8",
      paramLabel = "N",
      description = "Registry requests at once (default: ${DEFAULT-VALUE}).")
  int concurrency;

  @Mixin GitHubOptions gitHub = new GitHubOptions();
  @Mixin RegistryOptions registryOptions = new RegistryOptions();

  private final RunFollower.Sleeper sleeper;
  private final RegistryBudgets budgets;

  RetainCommand(ActionsEnvironment env, RunFollower.Sleeper sleeper, RegistryBudgets budgets) {
    this.env = env;
    this.sleeper = sleeper;
    this.budgets = budgets;
  }

  @Override
  public Integer call() {
    PrintWriter err = spec.commandLine().getErr();
    ImagefleetException.requireAtLeast("--keep-commits", keepCommits, 1);
    ImagefleetException.requireAtLeast("--concurrency", concurrency, 1);
    if (keepDays != null) {
      ImagefleetException.requireAtLeast("--keep-days", keepDays, 0);
    }
    ImageReference repository = ImageReference.parse(image);
    RegistryClient client =
        new RegistryClient(
            registryOptions.transport(
                RegistryLogin.credentials(env, err, repository),
                budgets,
                4,
                Duration.ofSeconds(1)));
    RepositoryApi api = new RepositoryApi(client, repository);
    RetentionPolicy policy =
        new RetentionPolicy(keepCommits, Optional.ofNullable(keepDays).map(Duration::ofDays));
    RegistryBudgets.Usage before = budgets.usage();
    new Retention(api, deleter(repository, api), concurrency, spec.commandLine().getOut(), err)
        .run(policy, Instant.now(), dryRun);
    RegistryOptions.printUsage(err, "retain", budgets.usage().since(before));
    return 0;
  }

  /** ghcr.io deletes through GitHub's package versions; other registries through their API. */
  private ManifestDeleter deleter(ImageReference repository, RepositoryApi api) {
    if (!repository.registry().equals("ghcr.io")) {
      return new RegistryDeleter(api);
    }
    WorkflowCommands commands = new WorkflowCommands(spec.commandLine().getErr());
    return new GitHubPackageDeleter(repository.repository(), gitHub.access(env, commands), sleeper);
  }
}
