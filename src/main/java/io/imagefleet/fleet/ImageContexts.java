package io.imagefleet.fleet;

import io.imagefleet.SafeFiles;
import io.imagefleet.docker.StepFailure;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The build context and job of each image: a directory of its own under {@code --output} with the
 * Dockerfile and a hard link to the one sdist, and the build args imagefleet passes.
 */
final class ImageContexts {
  private final BuildSettings settings;
  private final Path sdist;
  private final String sdkCommit;

  ImageContexts(BuildSettings settings, Path sdist, String sdkCommit) {
    this.settings = settings;
    this.sdist = sdist;
    this.sdkCommit = sdkCommit;
  }

  ImageJob job(PlannedImage image, Path context) {
    Map<String, String> args = new LinkedHashMap<>(settings.buildArgs());
    args.put("BASE_IMAGE", image.baseImage());
    args.put("SDK_COMMIT", sdkCommit);
    args.put("SDIST", sdist.getFileName().toString());
    return new ImageJob(
        image.instance(),
        image.baseImage(),
        image.image(),
        context,
        context.resolve("Dockerfile"),
        settings.target(),
        args,
        settings.network(),
        settings.push(),
        settings.cacheMode(),
        settings.secrets());
  }

  /** A context of its own per image: the Dockerfile and a hard link to the one sdist. */
  Path create(PlannedImage image) {
    try {
      Path context =
          SafeFiles.child(
              Files.createDirectories(settings.output().resolve("contexts")), image.instance(), "");
      delete(context);
      Files.createDirectories(context);
      fill(context, settings.dockerfile(), sdist);
      return context;
    } catch (IOException e) {
      throw new StepFailure("cannot prepare the build context: " + e.getMessage(), false);
    }
  }

  /** Removes a context, if there is one; never throws. */
  void delete(Path dir) {
    if (dir == null) {
      return;
    }
    try {
      SafeFiles.deleteTree(dir, settings.output());
    } catch (IOException e) {
      // A leftover context costs a little disk, nothing else.
    }
  }

  /** A build context: the Dockerfile, and the sdist hard-linked (copied across filesystems). */
  static void fill(Path context, Path dockerfile, Path sdist) throws IOException {
    Files.copy(dockerfile, context.resolve("Dockerfile"));
    Path link = context.resolve(sdist.getFileName());
    try {
      Files.createLink(link, sdist);
    } catch (IOException | UnsupportedOperationException e) {
      Files.copy(sdist, link);
    }
  }
}
