package io.imagefleet.fleet;

import io.imagefleet.append.dockerfile.AppendPlan;
import io.imagefleet.append.dockerfile.NotAppendable;
import io.imagefleet.append.dockerfile.StageInputs;
import java.util.Map;
import java.util.Optional;

/** {@code --builder append}: every image assembled in the registry, no daemon per image. */
final class AppendType implements BuilderType {
  static final String NO_PUSH =
      "--builder append assembles images in the registry; drop --no-push or use --builder engine";

  @Override
  public String id() {
    return "append";
  }

  @Override
  public Capabilities capabilities() {
    return new Capabilities(true, false, false, true, false, true);
  }

  @Override
  public Optional<Refusal> refuses(BuilderContext run) {
    try {
      // The sdist's real name is known only once it is built; the layer's plan uses it then.
      AppendPlan plan = AppendSetup.plan(run.settings(), "agent.tar.gz", run.sdkCommit());
      return platformBoundStage(plan, run.settings(), run)
          .map(
              why ->
                  new Refusal(
                      why, "an earlier stage runs commands for a platform its builder can't run"));
    } catch (NotAppendable e) {
      return Optional.of(Refusal.of(e.getMessage()));
    }
  }

  @Override
  public BuildTools prepare(BuilderContext run, BuildInputs inputs) {
    return new AppendSetup(run.settings(), run.err(), run.options().cacheDir())
        .onBuildx(run.namedBuilder(), run.docker().cli(), run.docker().environment())
        .tools(
            inputs.sdist(),
            inputs.sdkCommit(),
            run.docker().connect(),
            run.registry().transport(),
            run.options().platform(),
            run.options().platformBase());
  }

  /**
   * Why append can't serve every platform from the earlier stages it builds: with several platforms
   * a stage bound to one ({@link #platformBound}) is built once per platform, and one that runs
   * commands can be built only for the platforms its builder runs commands for ({@link
   * CommandPlatforms}: the builder {@code --buildx-builder} names, else this machine's engine). A
   * stage that starts from an image and only copies needs no emulation. Empty for one platform, or
   * when every stage can be built for every platform.
   */
  static Optional<String> platformBoundStage(
      AppendPlan plan, BuildSettings settings, BuilderContext run) {
    if (!settings.multiPlatform()) {
      return Optional.empty();
    }
    CommandPlatforms commands = null;
    for (Map.Entry<String, StageInputs> stage : plan.stageInputs().entrySet()) {
      if (runsCommands(stage.getValue())) {
        if (commands == null) {
          commands = CommandPlatforms.of(run, false);
        }
        Optional<String> lacking =
            commands.lacking(settings.platforms(), "stage '" + stage.getKey() + "'");
        if (lacking.isPresent()) {
          return lacking;
        }
      }
    }
    return Optional.empty();
  }

  /** Whether building the stage (or a stage it builds on) runs a command. */
  static boolean runsCommands(StageInputs stage) {
    return stage.lines().stream().anyMatch(l -> l.matches("(?is)run\\s.*"));
  }

  /**
   * Whether the stage's files depend on the platform it is built for: it runs commands or starts
   * from (or copies from) an image. Only a stage of the context and {@code scratch} makes the same
   * files for every platform.
   */
  static boolean platformBound(StageInputs stage) {
    return runsCommands(stage) || !stage.images().isEmpty();
  }

  /** The JVM's architecture as OCI names it. */
  static String machineArchitecture() {
    String arch = System.getProperty("os.arch", "");
    return switch (arch) {
      case "amd64", "x86_64" -> "amd64";
      case "aarch64", "arm64" -> "arm64";
      default -> arch;
    };
  }
}
