package io.imagefleet.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.imagefleet.docker.DockerJavaDaemon;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A second Docker daemon whose data root is on a small loop-mounted ext4 filesystem: a faithful
 * "runner with little disk". Needs root (mount) and e2fsprogs.
 */
public final class SmallDiskDaemon implements AutoCloseable {
  private final Path base;
  private final Path mount;
  private Process dockerd;

  private SmallDiskDaemon(Path base, Path mount) {
    this.base = base;
    this.mount = mount;
  }

  public static SmallDiskDaemon start(int megabytes) throws Exception {
    Requirements.require(
        isRoot() && onPath("mkfs.ext4") && onPath("dockerd"), "root with mkfs.ext4 and dockerd");
    Path base = Files.createTempDirectory(Path.of("/tmp"), "ifsmall-");
    Path image = base.resolve("disk.img");
    Path mount = Files.createDirectories(base.resolve("mnt"));
    run("truncate", "-s", megabytes + "M", image.toString());
    run("mkfs.ext4", "-q", "-F", image.toString());
    run("mount", "-o", "loop", image.toString(), mount.toString());
    SmallDiskDaemon daemon = new SmallDiskDaemon(base, mount);
    daemon.launch();
    return daemon;
  }

  /**
   * SIGKILLs dockerd and what it started (containerd, shims), as a crash of the service would; a
   * containerd left running would keep the next dockerd from starting its own.
   */
  public void kill() throws Exception {
    List<ProcessHandle> children = dockerd.descendants().toList();
    dockerd.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
    children.forEach(ProcessHandle::destroyForcibly);
    for (ProcessHandle child : children) {
      child.onExit().get(30, TimeUnit.SECONDS);
    }
  }

  /** Starts dockerd again on the same data root and socket, and waits until it answers. */
  public void launch() throws Exception {
    dockerd =
        new ProcessBuilder(
                "dockerd",
                "--data-root",
                mount.resolve("docker").toString(),
                "--exec-root",
                base.resolve("exec").toString(),
                "--pidfile",
                base.resolve("docker.pid").toString(),
                "--host",
                "unix://" + base.resolve("docker.sock"),
                "--bridge=none",
                "--iptables=false",
                "--ip-masq=false")
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(base.resolve("dockerd.log").toFile()))
            .start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (true) {
      try (DockerJavaDaemon client = DockerJavaDaemon.connect(environment())) {
        return;
      } catch (RuntimeException e) {
        if (System.nanoTime() > deadline || !dockerd.isAlive()) {
          String log = Files.readString(base.resolve("dockerd.log"));
          close();
          throw new AssertionError("second dockerd did not start: " + e.getMessage() + "\n" + log);
        }
        Thread.sleep(250);
      }
    }
  }

  public Map<String, String> environment() {
    return Map.of("DOCKER_HOST", "unix://" + base.resolve("docker.sock"));
  }

  public Path dataRoot() {
    return mount.resolve("docker");
  }

  @Override
  public void close() throws Exception {
    dockerd.destroy();
    if (!dockerd.waitFor(30, TimeUnit.SECONDS)) {
      dockerd.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
    new ProcessBuilder("umount", "-l", mount.toString()).start().waitFor(30, TimeUnit.SECONDS);
    io.imagefleet.SafeFiles.deleteTree(base);
  }

  private static void run(String... command) throws IOException, InterruptedException {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(120, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as(String.join(" ", command) + ": " + output).isZero();
  }

  private static boolean isRoot() {
    return "root".equals(System.getProperty("user.name"));
  }

  private static boolean onPath(String program) {
    return List.of(System.getenv("PATH").split(java.io.File.pathSeparator)).stream()
        .anyMatch(dir -> Files.isExecutable(Path.of(dir, program)));
  }
}
