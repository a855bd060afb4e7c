package io.imagefleet.github;

import io.imagefleet.ImagefleetException;
import io.imagefleet.LocalFailure;
import io.imagefleet.SafeFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.TimeUnit;

/** The SDK by reference: REF resolved to its commit, that commit's source downloaded once. */
public final class SdkSource {
  private final GitHubApi github;
  private final Path cacheDir;

  public SdkSource(GitHubApi github, Path cacheDir) {
    this.github = github;
    this.cacheDir = cacheDir;
  }

  /** A source tree and the commit it is. */
  public record Checkout(Path directory, String sha, boolean downloaded) {}

  /** The full SHA of a branch, tag or short SHA; an unknown ref exits 2. */
  public String resolve(String repository, String ref) {
    return github
        .resolveCommit(repository, ref)
        .orElseThrow(
            () ->
                ImagefleetException.invalidInput(
                    "--sdk-ref " + ref + ": no such branch, tag or commit in " + repository));
  }

  public Checkout fetch(String repository, String ref) {
    return download(repository, resolve(repository, ref));
  }

  /** The commit's source tree, downloaded into the cache the first time only. */
  public Checkout download(String repository, String sha) {
    Path directory =
        cacheDir.resolve("sdk-source").resolve(repository.replace('/', '_')).resolve(sha);
    if (Files.isDirectory(directory)) {
      return new Checkout(directory, sha, false);
    }
    try {
      Files.createDirectories(directory.getParent());
      Path staging = Files.createTempDirectory(directory.getParent(), ".download-");
      try {
        Path tarball = staging.resolve("source.tar.gz");
        github.downloadTarball(repository, sha, tarball);
        Path tree = Files.createDirectories(staging.resolve("tree"));
        extract(tarball, tree);
        Files.move(tree, directory, StandardCopyOption.ATOMIC_MOVE);
      } finally {
        SafeFiles.deleteTree(staging);
      }
      return new Checkout(directory, sha, true);
    } catch (IOException e) {
      throw new LocalFailure(
          "cannot store the source of "
              + repository
              + "@"
              + sha
              + " in "
              + directory
              + ": "
              + e.getMessage());
    }
  }

  /** GitHub's tarballs hold one top directory ({@code owner-repo-sha/}); it is stripped. */
  private static void extract(Path tarball, Path into) throws IOException {
    try {
      Process tar =
          new ProcessBuilder(
                  "tar", "-xzf", tarball.toString(), "--strip-components=1", "-C", into.toString())
              .redirectErrorStream(true)
              .start();
      String output = new String(tar.getInputStream().readAllBytes());
      if (!tar.waitFor(5, TimeUnit.MINUTES) || tar.exitValue() != 0) {
        throw new IOException("tar failed: " + output.strip());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while extracting", e);
    }
  }
}
