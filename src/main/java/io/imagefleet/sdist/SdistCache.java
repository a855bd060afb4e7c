package io.imagefleet.sdist;

import io.imagefleet.ImagefleetException;
import io.imagefleet.LocalFailure;
import io.imagefleet.LogTail;
import io.imagefleet.SafeFiles;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Builds the SDK's sdist once and keeps it under the cache directory, keyed by a hash of the SDK
 * source tree and the command: an unchanged SDK costs no build on the next run.
 */
public final class SdistCache {
  /** Directories that are not SDK source, whatever the SDK. */
  static final Set<String> IGNORED =
      Set.of(
          ".git",
          "__pycache__",
          ".venv",
          "venv",
          "node_modules",
          "dist",
          "build",
          ".tox",
          ".mypy_cache",
          ".pytest_cache",
          ".ruff_cache");

  private final Path cacheDir;
  private final Duration timeout;
  private final Map<String, String> environment;

  public SdistCache(Path cacheDir, Duration timeout) {
    this(cacheDir, timeout, System.getenv(), SdistEnvironment.allowListOnly());
  }

  /** The command sees the variables of {@code environment} that {@code allowed} lets through. */
  public SdistCache(
      Path cacheDir, Duration timeout, Map<String, String> environment, SdistEnvironment allowed) {
    // Absolute: the command runs in the SDK's directory, and {out} lies under the cache.
    this.cacheDir = cacheDir.toAbsolutePath();
    this.timeout = timeout;
    this.environment = allowed.of(environment);
  }

  /** The sdist, and whether it had to be built in this run. */
  public record Sdist(Path file, boolean built) {}

  /**
   * Returns the cached sdist for this SDK tree, or runs {@code command} ({@code {out}} replaced by
   * a fresh directory) in {@code sdk}, logging to {@code log}.
   */
  public Sdist obtain(Path sdk, String command, Path log) {
    if (!Files.isDirectory(sdk)) {
      throw ImagefleetException.invalidInput(
          "--sdk " + sdk + ": no such directory; pass the SDK's source directory");
    }
    String key = treeHash(sdk, command);
    Path entry = cacheDir.resolve("sdist").resolve(key.substring(0, 32));
    Path cached = existing(entry);
    if (cached != null) {
      return new Sdist(cached, false);
    }
    Path out;
    try {
      Files.createDirectories(entry.getParent());
      SafeFiles.createSharedDirectories(log.getParent());
      // Made readable before the command writes into it: it is uploaded with the other logs.
      Files.write(log, new byte[0]);
      SafeFiles.share(log);
      out = Files.createTempDirectory(entry.getParent(), ".building-");
    } catch (IOException e) {
      throw ImagefleetException.invalidInput(
          "--cache-dir " + cacheDir + ": cannot write: " + e.getMessage());
    }
    run(sdk, command.replace("{out}", out.toString()), log);
    Path file = single(out, log);
    try {
      Files.createDirectories(entry);
      Path target = entry.resolve(file.getFileName());
      Files.move(file, target, StandardCopyOption.ATOMIC_MOVE);
      SafeFiles.deleteTree(out);
      return new Sdist(target, true);
    } catch (IOException e) {
      throw new LocalFailure("cannot store the sdist in " + entry + ": " + e.getMessage(), e);
    }
  }

  private static Path existing(Path entry) {
    if (!Files.isDirectory(entry)) {
      return null;
    }
    try (Stream<Path> files = Files.list(entry)) {
      return files
          .filter(f -> f.getFileName().toString().endsWith(".tar.gz"))
          .findFirst()
          .orElse(null);
    } catch (IOException e) {
      return null;
    }
  }

  private void run(Path sdk, String command, Path log) {
    try {
      Process process =
          start(
              new ProcessBuilder("sh", "-c", command)
                  .directory(sdk.toFile())
                  .redirectErrorStream(true)
                  .redirectOutput(log.toFile()));
      process.getOutputStream().close();
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
        throw failure("timed out after " + timeout.toSeconds() + " s", log);
      }
      if (process.exitValue() != 0) {
        throw failure("exited " + process.exitValue(), log);
      }
    } catch (IOException e) {
      throw ImagefleetException.invalidInput("--sdist-command could not start: " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new LocalFailure("interrupted while building the sdist");
    }
  }

  private Process start(ProcessBuilder builder) throws IOException {
    builder.environment().clear();
    builder.environment().putAll(environment);
    return builder.start();
  }

  private static Path single(Path out, Path log) {
    try (Stream<Path> files = Files.list(out)) {
      List<Path> archives =
          files.filter(f -> f.getFileName().toString().endsWith(".tar.gz")).toList();
      if (archives.size() != 1) {
        throw failure(
            "left " + archives.size() + " .tar.gz files in {out}, expected exactly one", log);
      }
      return archives.get(0);
    } catch (IOException e) {
      throw failure("output unreadable: " + e.getMessage(), log);
    }
  }

  private static ImagefleetException failure(String what, Path log) {
    return ImagefleetException.invalidInput(
        "the sdist command "
            + what
            + "; nothing was built. Last lines of "
            + log
            + ":\n"
            + LogTail.of(log, 20));
  }

  /** SHA-256 over the command and every source file's relative path and bytes, in path order. */
  static String treeHash(Path root, String command) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      digest.update(command.getBytes(StandardCharsets.UTF_8));
      byte[] buffer = new byte[1 << 16];
      for (Path file : sourceFiles(root)) {
        digest.update(("\0" + root.relativize(file) + "\0").getBytes(StandardCharsets.UTF_8));
        try (InputStream in = Files.newInputStream(file)) {
          for (int n; (n = in.read(buffer)) > 0; ) {
            digest.update(buffer, 0, n);
          }
        }
      }
      return HexFormat.of().formatHex(digest.digest());
    } catch (IOException e) {
      throw ImagefleetException.invalidInput("--sdk " + root + ": cannot read: " + e.getMessage());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The regular files under {@code root} that make the sdist, sorted; VCS and caches left out. */
  private static List<Path> sourceFiles(Path root) throws IOException {
    List<Path> files = new ArrayList<>();
    Files.walkFileTree(
        root,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
            return !dir.equals(root) && IGNORED.contains(dir.getFileName().toString())
                ? FileVisitResult.SKIP_SUBTREE
                : FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
            if (attrs.isRegularFile() && !file.getFileName().toString().endsWith(".pyc")) {
              files.add(file);
            }
            return FileVisitResult.CONTINUE;
          }
        });
    files.sort(null);
    return files;
  }
}
