package io.imagefleet.preflight;

import io.imagefleet.docker.DockerDaemon;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which image a helper container runs: the one given, else the image of the container imagefleet
 * runs in (the action's own), else (only for read-only helpers) the smallest local images.
 */
public record HelperImages(DockerDaemon daemon, Optional<String> given, String hostname) {
  private static final int CANDIDATES = 3;
  private static final Pattern CONTAINER_ID = Pattern.compile("/containers/([0-9a-f]{64})/");

  /** Images to try for a read-only look (df): the trusted one, else a few small local ones. */
  public List<String> candidates() {
    if (given.isPresent()) {
      return List.of(given.get());
    }
    Set<String> images = new LinkedHashSet<>();
    own().ifPresent(images::add);
    daemon.localImages().stream().limit(CANDIDATES).forEach(images::add);
    return List.copyOf(images);
  }

  /**
   * The image for a helper that writes to the host (toolchain removal): the one given, or
   * imagefleet's own; never a guessed local image, which would run as root on the host's files.
   */
  public Optional<String> trusted() {
    return given.or(this::own);
  }

  private Optional<String> own() {
    return daemon
        .ownImage(hostname)
        .or(() -> ownContainerId(Path.of("/proc/self/mountinfo")).flatMap(daemon::ownImage));
  }

  /**
   * This container's id, from the files Docker bind-mounts into it (hostname, hosts): the hostname
   * is not the id when the container shares the host's network.
   */
  static Optional<String> ownContainerId(Path mountinfo) {
    try {
      Matcher m = CONTAINER_ID.matcher(Files.readString(mountinfo));
      return m.find() ? Optional.of(m.group(1)) : Optional.empty();
    } catch (IOException e) {
      return Optional.empty();
    }
  }
}
