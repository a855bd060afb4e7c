package io.imagefleet.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * What a build test needs: tiny base images in the local registry (busybox plus a marker file
 * each), a fake SDK in a git checkout whose sdist command sleeps and counts its runs, and a
 * Dockerfile that puts the sdist on the base.
 */
public final class BuildRig {
  /** Dockerfile of the agent layer; a base whose marker says fail or hang misbehaves on purpose. */
  public static final String DOCKERFILE =
      """
      ARG BASE_IMAGE
      FROM ${BASE_IMAGE}
      ARG SDIST
      ARG SDK_COMMIT
      COPY ${SDIST} /opt/agent/
      RUN if grep -q fail /marker; then echo "agent layer refuses this base" >&2; exit 3; fi
      RUN if grep -q hang /marker; then sleep 600; fi
      RUN echo "$SDK_COMMIT" > /opt/agent/commit
      """;

  public final Path dir;
  public final String namespace;
  public final Path sdk;
  public final Path counter;
  public final Path dockerfile;

  private BuildRig(Path dir, String namespace) throws IOException {
    this.dir = dir;
    this.namespace = namespace;
    this.sdk = Files.createDirectories(dir.resolve("sdk"));
    this.counter = dir.resolve("sdist-runs");
    this.dockerfile = Files.writeString(dir.resolve("agent.Dockerfile"), DOCKERFILE);
  }

  /** A rig in {@code dir} whose images live under {@code 127.0.0.1:5000/<random namespace>/}. */
  public static BuildRig create(Path dir) throws Exception {
    TestRegistry.require();
    TestDocker.daemon().close();
    BuildRig rig = new BuildRig(dir, "t" + UUID.randomUUID().toString().substring(0, 8));
    Files.writeString(
        rig.sdk.resolve("pyproject.toml"), "[project]\nname = \"agent\"\nversion = \"0.1\"\n");
    git(rig.sdk, "init", "-q");
    git(rig.sdk, "add", ".");
    git(rig.sdk, "-c", "user.email=rig@imagefleet", "-c", "user.name=rig", "commit", "-qm", "sdk");
    return rig;
  }

  /**
   * Pushes bases {@code <ns>/bases:<id>}; a marker containing fail or hang makes that image
   * misbehave.
   */
  public void pushBases(Map<String, String> markerById) throws Exception {
    String common = TestRegistry.HOST + "/" + namespace + "/busybox:1";
    TestDocker.buildBusyboxImage(common, "common", Map.of());
    List<String> pushed = new ArrayList<>();
    for (Map.Entry<String, String> entry : markerById.entrySet()) {
      Path context = Files.createDirectories(dir.resolve("base-" + entry.getKey()));
      Files.writeString(context.resolve("marker"), entry.getValue());
      Files.writeString(
          context.resolve("Dockerfile"), "FROM " + common + "\nCOPY marker /marker\n");
      String tag = base(entry.getKey());
      TestDocker.docker(Map.of(), "build", "--network=none", "-q", "-t", tag, context.toString());
      TestDocker.docker(Map.of(), "push", "-q", tag);
      pushed.add(tag);
    }
    for (String tag : pushed) {
      TestDocker.docker(Map.of(), "rmi", tag);
    }
  }

  /** The base image reference of an instance, as {@link #baseTemplate()} produces it. */
  public String base(String id) {
    return TestRegistry.HOST + "/" + namespace + "/bases:" + id;
  }

  public String baseTemplate() {
    return TestRegistry.HOST + "/" + namespace + "/bases:{id}";
  }

  public String image() {
    return TestRegistry.HOST + "/" + namespace + "/agent";
  }

  /** Sleeps a second, counts its run, and writes a one-file sdist. */
  public String sdistCommand() {
    return "sleep 1; echo run >> " + counter + "; tar czf {out}/agent-0.1.tar.gz pyproject.toml";
  }

  /**
   * {@code build} options every rig test shares: the dataset, these bases, this SDK and Dockerfile,
   * the engine builder with no network, and {@code output}. Callers add {@code --min-free-gb}.
   */
  public List<String> buildArgs(Path dataset, Path output) {
    return new ArrayList<>(
        List.of(
            "build",
            "--benchmark",
            "custom",
            "--dataset",
            dataset.toString(),
            "--base-image-template",
            baseTemplate(),
            "--sdk",
            sdk.toString(),
            "--sdist-command",
            sdistCommand(),
            "--cache-dir",
            dir.resolve("cache").toString(),
            "--dockerfile",
            dockerfile.toString(),
            "--image",
            image(),
            "--network",
            "none",
            "--builder",
            "engine",
            "--output",
            output.toString()));
  }

  public int sdistRuns() throws IOException {
    return Files.exists(counter) ? Files.readAllLines(counter).size() : 0;
  }

  public String commit() throws Exception {
    return git(sdk, "rev-parse", "HEAD").strip();
  }

  private static String git(Path dir, String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of("git", "-C", dir.toString()));
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(process.getInputStream().readAllBytes());
    if (process.waitFor() != 0) {
      throw new IllegalStateException("git " + String.join(" ", args) + ": " + out);
    }
    return out;
  }
}
