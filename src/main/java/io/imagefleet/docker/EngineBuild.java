package io.imagefleet.docker;

import java.nio.file.Path;
import java.util.Map;

/**
 * One image build through the Engine API. {@code target} and {@code network} may be null; {@code
 * platform} ({@code os/arch[/variant]}) empty builds for the daemon's own.
 */
public record EngineBuild(
    Path context,
    Path dockerfile,
    String tag,
    String target,
    Map<String, String> buildArgs,
    String network,
    String platform) {
  public EngineBuild {
    buildArgs = Map.copyOf(buildArgs);
  }
}
