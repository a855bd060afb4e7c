package io.imagefleet.docker;

import io.imagefleet.registry.Credentials;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** The Docker Engine operations imagefleet needs, behind one small interface. */
public interface DockerDaemon extends AutoCloseable {

  /** The address this daemon was reached at, e.g. {@code unix:///var/run/docker.sock}. */
  String endpoint();

  /** Whether the daemon answers {@code GET /_ping} within seconds; never throws. */
  boolean ping();

  DaemonInfo info();

  /** Docker's own usage by kind, from {@code GET /system/df}. */
  DockerUsage usage();

  /** Removes stopped containers; returns the bytes the daemon reports reclaimed. */
  long pruneStoppedContainers();

  /** Removes dangling images, or with {@code unused} every image no container uses. */
  long pruneImages(boolean unused);

  /** Prunes the daemon's own BuildKit cache down to {@code keepBytes}; returns bytes reclaimed. */
  long pruneBuildCache(long keepBytes);

  /**
   * Runs a short-lived container (no network) and returns what it printed on stdout. {@code binds}
   * are {@code host:container[:ro]} specs. Fails if the command exits non-zero or times out.
   */
  String runHelper(String image, List<String> command, List<String> binds, Duration timeout);

  /** The image of the container this process runs in, when it runs in one on this daemon. */
  Optional<String> ownImage(String hostname);

  /** Tags of local images, smallest first. */
  List<String> localImages();

  /**
   * Builds with the engine's builder, writing its output to {@code log}; returns the image id. At
   * {@code timeout} the request is cancelled and a timed-out {@link StepFailure} thrown.
   */
  String buildImage(EngineBuild build, Path log, Duration timeout);

  /** Pushes {@code repository:tag}; returns the digest the registry stored. */
  String pushImage(
      String repository, String tag, Optional<Credentials.Login> login, Path log, Duration timeout);

  /**
   * Pulls {@code reference} ({@code name:tag} or {@code name@digest}), its progress to {@code log}.
   */
  void pullImage(String reference, Optional<Credentials.Login> login, Path log, Duration timeout);

  boolean imageExists(String reference);

  /**
   * Copies {@code path} (absolute) out of {@code image}'s file system into {@code root}, at the
   * same place under it ({@code /opt/agent} lands in {@code root/opt/agent}), through a container
   * that is created, never started, and removed. Several paths may share a root: each is unpacked
   * in a fresh directory and merged in without following links; refused when its tar would write
   * outside or through a symbolic link.
   */
  void exportPath(String image, String path, Path root);

  /** Removes a local image reference; an image already gone is not an error. */
  void removeImage(String reference);

  @Override
  void close();

  record DaemonInfo(String rootDir, String serverVersion, String apiVersion) {}
}
