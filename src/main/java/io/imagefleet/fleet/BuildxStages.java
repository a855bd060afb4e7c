package io.imagefleet.fleet;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.imagefleet.docker.StepFailure;
import io.imagefleet.docker.TarExtractor;
import io.imagefleet.registry.Platform;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Append's earlier stages built on the builder {@code --buildx-builder} named, with no daemon: a
 * scratch stage that copies only the paths the layer reads out of the stage is added to the stages'
 * Dockerfile, built as the target and written with {@code --output type=tar}, so nothing but those
 * paths leaves the builder; the tar is unpacked as a daemon export is ({@link TarExtractor}:
 * nothing lands outside the root or through a link).
 */
final class BuildxStages {
  /** The stage added after the Dockerfile's own; no Dockerfile names a stage so. */
  static final String EXPORT_STAGE = "imagefleet-export";

  private static final ObjectMapper JSON = new ObjectMapper();

  private final String docker;
  private final Map<String, String> environment;
  private final NamedBuilder builder;

  BuildxStages(String docker, Map<String, String> environment, NamedBuilder builder) {
    this.docker = docker;
    this.environment = Map.copyOf(environment);
    this.builder = builder;
  }

  String name() {
    return builder.name();
  }

  /** The run's first platform: what a stage is built for when it is built once. */
  Platform platform() {
    return builder.platform();
  }

  /**
   * Builds {@code stage} of the Dockerfile at {@code dockerfile} for {@code platform} and writes
   * {@code paths} (absolute) out of it under {@code root}, where they were in the stage.
   */
  void export(
      String stage,
      Platform platform,
      List<String> paths,
      Path context,
      Path dockerfile,
      Map<String, String> args,
      String network,
      Path root,
      Path log,
      Duration timeout) {
    Path exportFile = context.resolve(dockerfile.getFileName() + ".export");
    Path tar = null;
    try {
      Files.writeString(exportFile, Files.readString(dockerfile) + exportStage(stage, paths));
      tar = Files.createTempFile(root.toAbsolutePath().getParent(), "stage-", ".tar");
      BuildxImageBuilder.run(
          command(exportFile, platform, args, network, tar, context), environment, log, timeout);
      try (InputStream in = Files.newInputStream(tar)) {
        TarExtractor.extractTree(in, root);
      }
    } catch (IOException e) {
      throw new StepFailure(
          "stage " + stage + " exported from buildx builder " + name() + ": " + e.getMessage(),
          false);
    } finally {
      deleteQuietly(exportFile);
      if (tar != null) {
        deleteQuietly(tar);
      }
    }
  }

  private static void deleteQuietly(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      // Left in the run's append directory, which the next run clears.
    }
  }

  /** {@code FROM scratch} and one COPY per path, in JSON form (a path may hold spaces). */
  static String exportStage(String stage, List<String> paths) {
    StringBuilder text = new StringBuilder("\nFROM scratch AS " + EXPORT_STAGE + "\n");
    for (String path : paths) {
      try {
        text.append("COPY --from=")
            .append(stage)
            .append(' ')
            .append(JSON.writeValueAsString(List.of(path, path)))
            .append('\n');
      } catch (JsonProcessingException e) {
        throw new IllegalStateException(e);
      }
    }
    return text.toString();
  }

  List<String> command(
      Path dockerfile,
      Platform platform,
      Map<String, String> args,
      String network,
      Path tar,
      Path context) {
    List<String> c =
        new ArrayList<>(
            List.of(
                docker,
                "buildx",
                "build",
                "--builder",
                builder.name(),
                "--progress",
                "plain",
                "--platform",
                platform.toString(),
                "--file",
                dockerfile.toString(),
                "--target",
                EXPORT_STAGE));
    args.forEach((k, v) -> c.addAll(List.of("--build-arg", k + "=" + v)));
    if (network != null && !network.isEmpty()) {
      c.addAll(List.of("--network", network));
    }
    c.addAll(List.of("--output", "type=tar," + csvField("dest=" + tar)));
    c.add(context.toString());
    return c;
  }

  /** buildx reads --output as CSV: a field with a comma or quote is quoted. */
  private static String csvField(String field) {
    return field.contains(",") || field.contains("\"")
        ? "\"" + field.replace("\"", "\"\"") + "\""
        : field;
  }
}
