package io.imagefleet.fleet;

import io.imagefleet.append.dockerfile.AppendPlan;
import io.imagefleet.append.dockerfile.NotAppendable;
import io.imagefleet.append.dockerfile.StageInputs;
import io.imagefleet.registry.Platform;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

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
      return platformBoundStage(plan, run.settings())
          .map(why -> new Refusal(why, "an earlier stage is built for one platform"));
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
   * Why append can't serve every platform from the earlier stages it builds once on the daemon: a
   * stage that runs commands (or starts from an image) makes files for the daemon's platform only.
   * Empty for one platform, or stages that only copy from the context.
   */
  static Optional<String> platformBoundStage(AppendPlan plan, BuildSettings settings) {
    if (!settings.multiPlatform()) {
      return Optional.empty();
    }
    for (Map.Entry<String, StageInputs> stage : plan.stageInputs().entrySet()) {
      boolean runs = stage.getValue().lines().stream().anyMatch(l -> l.matches("(?is)run\\s.*"));
      Set<String> images = new TreeSet<>(stage.getValue().images());
      images.remove("scratch");
      if (runs || !images.isEmpty()) {
        String other =
            settings.platforms().stream()
                .filter(p -> !p.architecture().equals(machineArchitecture()))
                .map(Platform::toString)
                .findFirst()
                .orElse(settings.platforms().get(1).toString());
        return Optional.of(
            "--builder append builds stage '"
                + stage.getKey()
                + "' once, on this machine's platform (linux/"
                + machineArchitecture()
                + "), and it "
                + (runs ? "runs commands" : "starts from " + String.join(", ", images))
                + ", so its files can't serve "
                + other
                + "; build it per platform with --builder buildx (on this machine "
                + other
                + " needs QEMU: docker run --privileged --rm tonistiigi/binfmt --install "
                + other.split("/")[1]
                + "), or copy only from the context in that stage");
      }
    }
    return Optional.empty();
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
