package io.imagefleet.preflight;

import io.imagefleet.docker.DockerDaemon;
import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Measures free space where Docker really writes: the filesystem of the daemon's data root. When
 * this process can't see that path (it runs in a container, as a GitHub Docker action does), a
 * short-lived helper container bind-mounts it read-only and runs {@code df} on it.
 */
public final class DiskProbe {
  static final String DATA_ROOT = "Docker data root";
  private static final String MOUNT = "/probe";
  private static final Duration HELPER_TIMEOUT = Duration.ofSeconds(60);

  private final DockerDaemon daemon;
  private final ProbeMode mode;
  private final HelperImages helperImages;
  private String rootDir;

  public DiskProbe(DockerDaemon daemon, ProbeMode mode, HelperImages helperImages) {
    this.daemon = daemon;
    this.mode = mode;
    this.helperImages = helperImages;
  }

  /**
   * The daemon's data root, asked once: it doesn't move while the daemon runs, and a build measures
   * it before every start.
   */
  private synchronized String rootDir() {
    if (rootDir == null) {
      rootDir = daemon.info().rootDir();
    }
    return rootDir;
  }

  /**
   * Whether this process sees the daemon's data root itself: the path exists and holds Docker's
   * layout. Inside a container (a GitHub Docker action) it is absent, or some unrelated directory.
   */
  static boolean looksLikeDataRoot(Path root) {
    return Files.isDirectory(root.resolve("image"))
        && Files.isDirectory(root.resolve("containers"));
  }

  public Measurement dataRoot() {
    String root = rootDir();
    boolean direct =
        mode == ProbeMode.DIRECT || (mode == ProbeMode.AUTO && looksLikeDataRoot(Path.of(root)));
    if (direct) {
      return local(DATA_ROOT, Path.of(root));
    }
    return throughHelper(root);
  }

  /** A path of this process's own filesystem, e.g. the workspace. */
  public Measurement path(Path path) {
    return local(path.toString(), path);
  }

  private static Measurement local(String label, Path path) {
    if (!Files.exists(path)) {
      return Measurement.failed(label, path.toString(), "no such path visible to imagefleet");
    }
    try {
      FileStore store = Files.getFileStore(path);
      return Measurement.of(
          label,
          new DiskSpace(
              path.toString(),
              store.name(),
              store.getUsableSpace(),
              store.getTotalSpace(),
              "direct"));
    } catch (IOException e) {
      return Measurement.failed(
          label, path.toString(), "cannot stat its filesystem: " + e.getMessage());
    }
  }

  private Measurement throughHelper(String root) {
    List<String> problems = new ArrayList<>();
    for (String image : helperImages.candidates()) {
      try {
        String df =
            daemon.runHelper(
                image,
                List.of("df", "-P", "-k", MOUNT),
                List.of(root + ":" + MOUNT + ":ro"),
                HELPER_TIMEOUT);
        return Measurement.of(DATA_ROOT, parseDf(root, df, "helper container (" + image + ")"));
      } catch (RuntimeException e) {
        problems.add(image + ": " + e.getMessage());
      }
    }
    String why =
        problems.isEmpty()
            ? "not visible to imagefleet and no local image to run a helper container from; pass --helper-image"
            : "helper container failed ("
                + String.join("; ", problems)
                + "); pass --helper-image with an image that has df";
    return Measurement.failed(DATA_ROOT, root, why);
  }

  /** Parses POSIX {@code df -P -k} output: the last line holds device, size, used, available. */
  static DiskSpace parseDf(String path, String output, String method) {
    List<String> lines = output.strip().lines().toList();
    if (lines.size() < 2) {
      throw new IllegalStateException("unexpected df output: " + output.strip());
    }
    String[] fields = lines.get(lines.size() - 1).trim().split("\\s+");
    if (fields.length < 4) {
      throw new IllegalStateException("unexpected df output: " + output.strip());
    }
    long total = Long.parseLong(fields[1]) * 1024;
    long available = Long.parseLong(fields[3]) * 1024;
    return new DiskSpace(path, fields[0], available, total, method);
  }
}
