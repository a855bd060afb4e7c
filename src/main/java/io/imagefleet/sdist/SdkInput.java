package io.imagefleet.sdist;

import io.imagefleet.ImagefleetException;
import io.imagefleet.github.GitHubApi;
import io.imagefleet.github.SdkSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The SDK a build installs: a local directory, or a GitHub repository at a ref; its commit (for the
 * tags) and its sdist (prebuilt, or built once and cached).
 */
public record SdkInput(
    Optional<Path> sdk,
    Optional<String> sdkRepo,
    Optional<String> sdkRef,
    Optional<String> sdkCommit,
    String sdistCommand,
    SdistEnvironment sdistEnvironment,
    Optional<Path> sdistFile,
    Optional<Path> cacheDir,
    Map<String, String> environment) {

  public SdkInput {
    environment = Map.copyOf(environment);
  }

  /** Exit 2 unless the options name an SDK, and a prebuilt sdist exists. */
  public void requireSdk() {
    if (sdk.isEmpty() && sdistFile.isEmpty() && sdkRepo.isEmpty()) {
      throw ImagefleetException.invalidInput(
          "give the SDK: --sdk DIR (its sdist is built once), or --sdist FILE with --sdk-commit");
    }
    if (sdistFile.isPresent() && !Files.isRegularFile(sdistFile.get())) {
      throw ImagefleetException.invalidInput("--sdist " + sdistFile.get() + ": no such file");
    }
  }

  /** Exit 2 when the GitHub source is half given, or given besides --sdk, or --sdk is missing. */
  public void requireOneSource() {
    sdk.filter(dir -> !Files.isDirectory(dir))
        .ifPresent(
            dir -> {
              throw ImagefleetException.invalidInput(
                  "--sdk "
                      + dir
                      + (Files.exists(dir) ? ": not a directory" : ": no such directory")
                      + "; give the SDK's source directory");
            });
    if (sdkRepo.isEmpty() != sdkRef.isEmpty()) {
      throw ImagefleetException.invalidInput("--sdk-repo and --sdk-ref go together");
    }
    if (sdkRepo.isPresent() && sdk.isPresent()) {
      throw ImagefleetException.invalidInput(
          "give the SDK once: --sdk DIR, or --sdk-repo with --sdk-ref");
    }
  }

  /** The GitHub source of the SDK, when --sdk-repo names one. */
  public Optional<SdkSource> source(Optional<GitHubApi> github) {
    return github.filter(g -> sdkRepo.isPresent()).map(g -> new SdkSource(g, cacheDirectory()));
  }

  /** The full (GitHub) or given commit SHA, lower-cased. */
  public String commit(Optional<SdkSource> source) {
    return source.map(s -> s.resolve(sdkRepo.get(), sdkRef.get())).orElseGet(this::localCommit);
  }

  /** The sdist: downloads a GitHub source first; a prebuilt file wins over building one. */
  public SdistCache.Sdist sdist(Optional<SdkSource> source, String commit, Path log) {
    Optional<Path> directory =
        source.map(s -> s.download(sdkRepo.get(), commit).directory()).or(this::sdk);
    if (sdistFile.isPresent()) {
      return new SdistCache.Sdist(sdistFile.get().toAbsolutePath(), false);
    }
    return new SdistCache(cacheDirectory(), Duration.ofMinutes(30), environment, sdistEnvironment)
        .obtain(directory.orElse(null), sdistCommand, log);
  }

  private String localCommit() {
    String commit =
        sdkCommit.orElseGet(
            () ->
                gitHead(
                    sdk.orElseThrow(
                        () -> ImagefleetException.invalidInput("--sdist needs --sdk-commit SHA"))));
    if (!commit.matches("[0-9a-fA-F]{7,40}")) {
      throw ImagefleetException.invalidInput(
          "--sdk-commit must be a commit SHA (7 to 40 hex digits), got '" + commit + "'");
    }
    return commit.toLowerCase(Locale.ROOT);
  }

  private static String gitHead(Path dir) {
    return GitHead.read(dir)
        .orElseThrow(
            () ->
                ImagefleetException.invalidInput(
                    "--sdk "
                        + dir
                        + ": no git commit found in "
                        + dir.resolve(".git")
                        + "; pass --sdk-commit SHA"));
  }

  /**
   * --cache-dir, else $XDG_CACHE_HOME/imagefleet, else ~/.cache/imagefleet: the sdist, and append's
   * stage exports and agent layers, are kept there.
   */
  public Path cacheDirectory() {
    return cacheDir.orElseGet(
        () ->
            Optional.ofNullable(environment.get("XDG_CACHE_HOME"))
                .filter(s -> !s.isBlank())
                .map(Path::of)
                .orElseGet(
                    () ->
                        Path.of(
                            Optional.ofNullable(environment.get("HOME"))
                                .orElse(System.getProperty("user.home")),
                            ".cache"))
                .resolve("imagefleet"));
  }
}
