package io.imagefleet.fleet;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.imagefleet.ImageMeter;
import io.imagefleet.LogTail;
import io.imagefleet.docker.StepFailure;
import io.imagefleet.registry.Platform;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Builds with {@code docker buildx build}: registry cache per {@code --cache-mode}, {@code --push}
 * in the same command, the digest from {@code --metadata-file}. Nothing is loaded into the local
 * daemon, so there is nothing to remove afterwards.
 */
final class BuildxImageBuilder implements ImageBuilder {
  private final String docker;
  private final Map<String, String> environment;

  private final Optional<String> builder;
  private final Attestations attestations;
  private final List<Platform> platforms;
  private final boolean elsewhere;

  /** {@code builder} names the buildx builder to use; empty means the active one. */
  BuildxImageBuilder(String docker, Map<String, String> environment, Optional<String> builder) {
    this(docker, environment, builder, Attestations.NONE, List.of());
  }

  BuildxImageBuilder(
      String docker,
      Map<String, String> environment,
      Optional<String> builder,
      Attestations attestations) {
    this(docker, environment, builder, attestations, List.of(), false);
  }

  /** {@code platforms}: passed as {@code --platform}; empty builds the builder's own platform. */
  BuildxImageBuilder(
      String docker,
      Map<String, String> environment,
      Optional<String> builder,
      Attestations attestations,
      List<Platform> platforms) {
    this(docker, environment, builder, attestations, platforms, false);
  }

  /**
   * On the builder {@code --buildx-builder} named, wherever it builds, always for {@code platforms}
   * (a remote node's own platform may be another).
   */
  BuildxImageBuilder(
      String docker,
      Map<String, String> environment,
      NamedBuilder named,
      Attestations attestations,
      List<Platform> platforms) {
    this(
        docker, environment, Optional.of(named.name()), attestations, platforms, !named.onDaemon());
  }

  private BuildxImageBuilder(
      String docker,
      Map<String, String> environment,
      Optional<String> builder,
      Attestations attestations,
      List<Platform> platforms,
      boolean elsewhere) {
    this.docker = docker;
    this.environment = Map.copyOf(environment);
    this.builder = builder;
    this.attestations = attestations;
    this.platforms = List.copyOf(platforms);
    this.elsewhere = elsewhere;
  }

  /** The same builder, pushing these attestations with each image. */
  BuildxImageBuilder withAttestations(Attestations attestations) {
    return new BuildxImageBuilder(docker, environment, builder, attestations, platforms, elsewhere);
  }

  /** The same builder, building each image for these platforms (one index per tag). */
  BuildxImageBuilder withPlatforms(List<Platform> chosen) {
    return new BuildxImageBuilder(docker, environment, builder, attestations, chosen, elsewhere);
  }

  @Override
  public Optional<String> unmeasuredDisk() {
    return elsewhere
        ? builder.map(name -> "builder " + name + " is remote, not measured")
        : Optional.empty();
  }

  @Override
  public BuilderType type() {
    return BuilderTypes.BUILDX;
  }

  @Override
  public Optional<String> buildxBuilder() {
    return builder;
  }

  @Override
  public Optional<String> build(ImageJob job, Path log, Duration timeout) {
    Path metadata = job.context().resolve(".imagefleet-metadata.json");
    long logStart = log.toFile().length();
    long begin = System.nanoTime();
    job.meter().mark(ImageMeter.Phase.BUILD);
    run(command(job, metadata), environment, log, timeout);
    long export = Math.min(exportNanos(log, logStart), System.nanoTime() - begin);
    job.meter().carve(ImageMeter.Phase.PUSH, export);
    try {
      return job.push() ? Optional.of(pushedDigest(metadata)) : Optional.empty();
    } catch (IOException e) {
      throw new StepFailure("buildx build wrote no readable metadata: " + e.getMessage(), false);
    }
  }

  /**
   * Runs one {@code docker buildx build}, its output appended to {@code log}; a non-zero exit, a
   * run past {@code timeout} (killed with its children) or an interrupt is a {@link StepFailure}.
   */
  static void run(
      List<String> command, Map<String, String> environment, Path log, Duration timeout) {
    Process process = null;
    try {
      ProcessBuilder builder =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
      builder.environment().putAll(environment);
      process = builder.start();
      process.getOutputStream().close();
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        throw new StepFailure(
            "buildx build timed out after " + timeout.toSeconds() + " s and was killed", true);
      }
      if (process.exitValue() != 0) {
        throw new StepFailure(
            "buildx build exited " + process.exitValue() + ": " + LogTail.of(log, 1), false);
      }
    } catch (IOException e) {
      throw new StepFailure("buildx build could not run: " + e.getMessage(), false);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      if (process != null) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
      }
      throw new StepFailure("buildx build interrupted", false);
    }
  }

  /**
   * The time the build's export steps took ({@code #N exporting to image} with its push, {@code #N
   * exporting cache to registry}), from their {@code #N DONE 1.2s} lines in what this build wrote
   * to the log past {@code from}; buildx runs them after the build's own steps.
   */
  static long exportNanos(Path log, long from) {
    Set<String> exports = new HashSet<>();
    double seconds = 0;
    try (RandomAccessFile file = new RandomAccessFile(log.toFile(), "r")) {
      file.seek(Math.min(from, file.length()));
      byte[] bytes = new byte[(int) Math.min(file.length() - file.getFilePointer(), 64L << 20)];
      file.readFully(bytes);
      for (String line : new String(bytes, StandardCharsets.UTF_8).split("\n")) {
        Matcher m = STEP_LINE.matcher(line);
        if (!m.matches()) {
          continue;
        }
        if (m.group(2).startsWith("exporting ") && !m.group(2).startsWith("exporting layers")) {
          exports.add(m.group(1));
        }
        Matcher done = STEP_DONE.matcher(m.group(2));
        if (done.matches() && exports.contains(m.group(1))) {
          seconds += Double.parseDouble(done.group(1));
        }
      }
    } catch (IOException | NumberFormatException e) {
      return 0; // Unknown: the whole run stays the build's.
    }
    return (long) (seconds * 1e9);
  }

  private static final Pattern STEP_LINE = Pattern.compile("#(\\d+) (.*?)\\s*");
  private static final Pattern STEP_DONE = Pattern.compile("DONE (\\d+(?:\\.\\d+)?)s");

  /** What buildx wrote to --metadata-file about the image it pushed. */
  private static String pushedDigest(Path metadata) throws IOException {
    String digest =
        new ObjectMapper().readTree(metadata.toFile()).path("containerimage.digest").asText("");
    if (digest.isEmpty()) {
      throw new StepFailure(
          "buildx build --push wrote no containerimage.digest to its metadata file", false);
    }
    return digest;
  }

  List<String> command(ImageJob job, Path metadata) {
    List<String> c = new ArrayList<>(List.of(docker, "buildx", "build"));
    builder.ifPresent(name -> c.addAll(List.of("--builder", name)));
    c.addAll(List.of("--progress", "plain"));
    // The docker-container driver pushes a provenance attestation per image by default: untagged
    // litter in the registry (most of a year's package versions in the field's reports).
    c.addAll(attestations.buildxFlags());
    c.addAll(List.of("--file", job.dockerfile().toString(), "--tag", job.image().toString()));
    if (!job.platform().isEmpty()) {
      c.addAll(List.of("--platform", job.platform()));
    } else if (!platforms.isEmpty()) {
      c.addAll(
          List.of(
              "--platform", String.join(",", platforms.stream().map(Platform::toString).toList())));
    }
    if (job.target() != null && !job.target().isEmpty()) {
      c.addAll(List.of("--target", job.target()));
    }
    job.buildArgs().forEach((k, v) -> c.addAll(List.of("--build-arg", k + "=" + v)));
    job.secrets().forEach(secret -> c.addAll(List.of("--secret", secret)));
    if (job.network() != null && !job.network().isEmpty()) {
      c.addAll(List.of("--network", job.network()));
    }
    String cacheRef = job.image().withTag("buildcache");
    switch (job.cacheMode()) {
      case OFF -> {}
      case MIN, MAX -> {
        c.addAll(List.of("--cache-from", "type=registry,ref=" + cacheRef));
        c.addAll(
            List.of(
                "--cache-to", "type=registry,ref=" + cacheRef + ",mode=" + job.cacheMode().id()));
      }
      case INLINE -> {
        c.addAll(List.of("--build-arg", "BUILDKIT_INLINE_CACHE=1"));
        c.addAll(List.of("--cache-from", "type=registry,ref=" + job.image()));
      }
    }
    c.addAll(List.of("--metadata-file", metadata.toString()));
    c.addAll(job.push() ? List.of("--push") : List.of("--output", "type=cacheonly"));
    c.add(job.context().toString());
    return c;
  }

  /** Whether the docker CLI has the buildx plugin. */
  static boolean available(String docker, Map<String, String> environment) {
    try {
      ProcessBuilder builder =
          new ProcessBuilder(docker, "buildx", "version")
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.DISCARD);
      builder.environment().putAll(environment);
      Process process = builder.start();
      return process.waitFor(30, TimeUnit.SECONDS) && process.exitValue() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
