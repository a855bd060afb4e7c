package io.imagefleet.preflight;

import io.imagefleet.ImagefleetException;
import io.imagefleet.PeerFailure;
import io.imagefleet.docker.DockerDaemon;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Deletes the large toolchains preinstalled on GitHub-hosted runners, through a helper container
 * with the host's root bind-mounted: the action's own container can't reach the host's files.
 */
public final class ToolchainRemover {
  /** Paths on GitHub's Ubuntu images that a Docker image build never needs. */
  static final List<String> TOOLCHAINS =
      List.of(
          "/usr/share/dotnet",
          "/usr/local/lib/android",
          "/opt/ghc",
          "/usr/local/.ghcup",
          "/opt/hostedtoolcache/CodeQL",
          "/usr/local/share/boost",
          "/usr/share/swift",
          "/usr/local/share/powershell");

  private static final Duration TIMEOUT = Duration.ofMinutes(15);

  private final DockerDaemon daemon;
  private final HelperImages images;
  private final String hostRoot;

  public ToolchainRemover(DockerDaemon daemon, HelperImages images, String hostRoot) {
    this.daemon = daemon;
    this.images = images;
    this.hostRoot = hostRoot;
  }

  /** Removes the toolchains; reclaimed bytes are the data root's free space after minus before. */
  public PruneStep remove(DiskProbe probe) {
    long start = System.nanoTime();
    long before = probe.dataRoot().space().map(DiskSpace::freeBytes).orElse(0L);
    List<String> command = new ArrayList<>(List.of("rm", "-rf"));
    TOOLCHAINS.forEach(path -> command.add("/host" + path));
    String image =
        images
            .trusted()
            .orElseThrow(
                () ->
                    ImagefleetException.invalidInput(
                        "--remove-toolchains outside imagefleet's own container needs"
                            + " --helper-image IMAGE (an image you trust with the host's root)"));
    try {
      daemon.runHelper(image, command, List.of(hostRoot + ":/host"), TIMEOUT);
    } catch (ImagefleetException e) {
      throw new PeerFailure(
          "--remove-toolchains: the helper container (" + image + ") failed: " + e.getMessage());
    }
    long after = probe.dataRoot().space().map(DiskSpace::freeBytes).orElse(before);
    return new PruneStep(
        "toolchains (--remove-toolchains)",
        Math.max(0, after - before),
        CachePruner.seconds(start),
        "via " + image);
  }
}
