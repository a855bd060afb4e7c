package io.imagefleet.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** build's options for the SDK's commit and its sdist (built once and cached, or prebuilt). */
final class SdistOptions {
  @Option(
      names = "--sdk-commit",
      paramLabel = "SHA",
      description = "SDK commit for tags (default: git rev-parse HEAD in --sdk).")
  String sdkCommit;

  @Option(
      names = "--sdist-command",
      defaultValue = "uv build --sdist --out-dir {out}",
      paramLabel = "CMD",
      description =
          "Builds the sdist in --sdk; {out} is its output directory (default: ${DEFAULT-VALUE}).")
  String sdistCommand;

  @Option(
      names = "--sdist",
      paramLabel = "FILE",
      description = "A prebuilt sdist instead of --sdist-command.")
  Path sdistFile;

  @Option(
      names = "--cache-dir",
      paramLabel = "DIR",
      description =
          "Where built sdists are kept (default: $XDG_CACHE_HOME/imagefleet or ~/.cache/imagefleet).")
  Path cacheDir;
}
