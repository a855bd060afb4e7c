package io.imagefleet.docker;

import java.nio.file.Path;
import java.util.Map;

/** One image build through the Engine API. {@code target} and {@code network} may be null. */
public record EngineBuild(
    Path context,
    Path dockerfile,
    String tag,
    String target,
    Map<String, String> buildArgs,
    String network) {
  public EngineBuild {
    buildArgs = Map.copyOf(buildArgs);
  }
}
