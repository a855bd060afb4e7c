package io.imagefleet.docker;

import java.nio.file.Path;
import java.util.Map;

/**
 * One image build through the Engine API. {@code target} and {@code network} may be null; {@code
 * platform} ({@code os/arch[/variant]}) empty builds for the daemon's own. {@code pull} pulls every
 * image the Dockerfile names even when the daemon has it: the engine's classic builder takes an
 * image already here whatever its platform, so a build for another platform needs it.
 */
public record EngineBuild(
    Path context,
    Path dockerfile,
    String tag,
    String target,
    Map<String, String> buildArgs,
    String network,
    String platform,
    boolean pull) {
  public EngineBuild {
    buildArgs = Map.copyOf(buildArgs);
  }
}
