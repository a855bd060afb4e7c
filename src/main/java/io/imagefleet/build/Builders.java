package io.imagefleet.build;

import io.imagefleet.ImagefleetException;
import io.imagefleet.docker.DockerDaemon;
import io.imagefleet.registry.Credentials;
import java.util.Map;

/**
 * Picks the image builder: buildx when asked or, with auto, when the CLI has it; else the engine.
 */
public final class Builders {
  private Builders() {}

  public static ImageBuilder choose(
      String kind,
      DockerDaemon daemon,
      Credentials credentials,
      String dockerCli,
      Map<String, String> env) {
    boolean buildx = BuildxImageBuilder.available(dockerCli, env);
    if (kind.equals("buildx") && !buildx) {
      throw ImagefleetException.invalidInput(
          "--builder buildx: '"
              + dockerCli
              + " buildx' is not available; install the buildx plugin or use --builder engine");
    }
    return kind.equals("engine") || (kind.equals("auto") && !buildx)
        ? new EngineImageBuilder(daemon, credentials)
        : new BuildxImageBuilder(dockerCli, env);
  }
}
