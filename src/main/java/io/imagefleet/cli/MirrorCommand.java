package io.imagefleet.cli;

import io.imagefleet.ImagefleetException;
import io.imagefleet.SafeFiles;
import io.imagefleet.actions.ActionsEnvironment;
import io.imagefleet.actions.StepFiles;
import io.imagefleet.dataset.Instance;
import io.imagefleet.fleet.BaseImageRule;
import io.imagefleet.fleet.MissingPlatform;
import io.imagefleet.mirror.Mirror;
import io.imagefleet.mirror.MirrorSummary;
import io.imagefleet.mirror.MirrorTags;
import io.imagefleet.registry.ImageReference;
import io.imagefleet.registry.Platform;
import io.imagefleet.registry.RegistryBudgets;
import io.imagefleet.registry.RegistryTransport;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "mirror",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Copies the base images a selection needs into a repository of yours, registry to registry"
          + " (nothing touches disk; each blob once; what is there already is skipped), so builds"
          + " mount from it instead of pulling: build --base-mirror REPO. Writes mirror.jsonl;"
          + " exits 5 when any base failed, 4 when REPO refuses a push."
    })
final class MirrorCommand implements Callable<Integer> {
  private final ActionsEnvironment env;
  private final RegistryBudgets budgets;

  @Spec CommandSpec spec;

  @Mixin InstanceOptions instances = new InstanceOptions();

  @Option(
      names = "--to",
      required = true,
      paramLabel = "REPO",
      description =
          "Repository the bases go to, e.g. ghcr.io/org/bases; each base's tag is its last name"
              + " component (-TAG unless latest), e.g. REPO:sweb.eval.x86_64.django_1776_django-11099.")
  String to;

  @Option(
      names = "--platform",
      paramLabel = "OS/ARCH[/VARIANT][,...]",
      description =
          "Platform(s) to copy of a multi-platform base (default: the whole index). One: that"
              + " platform's image. Several (comma-separated, as build takes them): an index of"
              + " just theirs, the source's whole when it holds no other, else a new OCI index"
              + " (said in the summary).")
  String platform;

  @Option(
      names = "--missing-platform",
      defaultValue = "skip",
      paramLabel = "skip|fail",
      description =
          "With several --platform: skip (a base lacking one is copied without it, listed in the"
              + " summary) or fail (that base fails) (default: ${DEFAULT-VALUE}).")
  String missingPlatform;

  @Option(
      names = "--concurrency",
      defaultValue = "4",
      paramLabel = "N",
      description = "Bases copied at once (default: ${DEFAULT-VALUE}).")
  int concurrency;

  @Option(
      names = "--base-timeout",
      defaultValue = "30m",
      paramLabel = "DURATION",
      description = "Time limit of one base's copy (default: ${DEFAULT-VALUE}).")
  String baseTimeout;

  @Option(names = "--dry-run", description = "List each base and the tag it gets; copy nothing.")
  boolean dryRun;

  @Option(
      names = "--output",
      defaultValue = "imagefleet-out",
      paramLabel = "DIR",
      description = "Where mirror.jsonl and mirror.md are written (default: ${DEFAULT-VALUE}).")
  Path output;

  @Mixin RegistryOptions registryOptions = new RegistryOptions();

  MirrorCommand(ActionsEnvironment env, RegistryBudgets budgets) {
    this.env = env;
    this.budgets = budgets;
  }

  @Override
  public Integer call() {
    PrintWriter err = spec.commandLine().getErr();
    ImagefleetException.requireAtLeast("--concurrency", concurrency, 1);
    Duration timeout = Durations.parse("--base-timeout", baseTimeout);
    List<Platform> chosen = platform == null ? List.of() : Platform.parseList(platform);
    boolean failOnMissing = MissingPlatform.of(missingPlatform) == MissingPlatform.FAIL;
    ImageReference repository = ImageReference.parse(to);
    instances.check();
    Map<String, String> tagByBase = MirrorTags.tags(bases(), "--to " + to);
    if (dryRun) {
      tagByBase.forEach((base, tag) -> spec.commandLine().getOut().println(base + " -> " + tag));
      err.printf(
          "imagefleet mirror: dry run: %d base(s) to %s%n",
          tagByBase.size(), repository.repositoryName());
      return 0;
    }
    OutputOptions.requireDirectory(output);
    RegistryTransport transport =
        registryOptions.transport(
            RegistryLogin.credentials(env, err, repository), budgets, 4, Duration.ofSeconds(1));
    Mirror mirror = Mirror.of(transport, repository, chosen, failOnMissing, concurrency, timeout);
    mirror.requirePush();
    try {
      SafeFiles.createSharedDirectories(output);
    } catch (IOException e) {
      throw ImagefleetException.invalidInput("--output " + output + ": " + e.getMessage());
    }
    err.printf(
        "imagefleet mirror: %d base(s) to %s, %d at once%s%n",
        tagByBase.size(),
        repository.repositoryName(),
        concurrency,
        chosen.isEmpty()
            ? ", indexes whole"
            : ", "
                + chosen.stream().map(Platform::toString).collect(Collectors.joining(", "))
                + " only");
    err.flush();
    RegistryBudgets.Usage before = budgets.usage();
    Path journal = output.resolve("mirror.jsonl");
    Mirror.Result result = mirror.run(tagByBase, journal, err);
    MirrorSummary summary = new MirrorSummary(result, repository);
    err.println("imagefleet mirror: " + summary.line() + "; wrote " + journal);
    RegistryOptions.printUsage(err, "mirror", budgets.usage().since(before));
    String markdown = summary.markdown();
    MirrorSummary.write(output.resolve("mirror.md"), markdown);
    StepFiles steps = new StepFiles(env);
    steps.appendSummary(markdown);
    steps.setOutputs(summary.outputs(journal));
    return result.complete() ? ExitCode.OK.code() : ExitCode.BUILD_PARTIAL.code();
  }

  /** The base of every selected instance, in dataset order; exit 2 when one has none. */
  private List<String> bases() {
    BaseImageRule rule = instances.baseImageRule();
    List<String> bases = new ArrayList<>();
    List<String> without = new ArrayList<>();
    for (Instance instance : instances.source().instances()) {
      Optional<String> base = rule.baseImage(instance);
      if (base.isEmpty()) {
        without.add(instance.id());
        continue;
      }
      BaseImageRule.problem(base.get())
          .ifPresent(
              problem -> {
                throw ImagefleetException.invalidInput(
                    "instance " + instance.id() + ": base " + problem);
              });
      bases.add(base.get());
    }
    if (!without.isEmpty()) {
      throw BaseImageRule.noBase(without);
    }
    return bases;
  }
}
