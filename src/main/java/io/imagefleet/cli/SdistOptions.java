package io.imagefleet.cli;

import io.imagefleet.sdist.SdistEnvironment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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
      names = "--sdist-env",
      paramLabel = "NAME",
      description =
          "Also pass variable NAME to --sdist-command (repeatable), which otherwise sees only an"
              + " allow-list: PATH, HOME, USER, locale, TMPDIR, TZ, XDG dirs, proxies, CA bundles,"
              + " UV_*, PIP_*, PYTHON*, VIRTUAL_ENV, SOURCE_DATE_EPOCH. --token-env's variable and"
              + " imagefleet's credentials are refused (exit 2).")
  List<String> sdistEnv = new ArrayList<>();

  @Option(
      names = "--sdist",
      paramLabel = "FILE",
      description = "A prebuilt sdist instead of --sdist-command.")
  Path sdistFile;

  @Option(
      names = "--cache-dir",
      paramLabel = "DIR",
      description =
          "Where built sdists, and append's builder stage exports and agent layers, are kept"
              + " (default: $XDG_CACHE_HOME/imagefleet or ~/.cache/imagefleet).")
  Path cacheDir;

  SdistEnvironment environment(String tokenVariable) {
    return new SdistEnvironment(sdistEnv, tokenVariable);
  }
}
