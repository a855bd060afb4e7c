package io.imagefleet.sdist;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The commit a git checkout has checked out, read from {@code .git} directly, so that the action's
 * image needs no git: HEAD, the ref it names, or that ref in {@code packed-refs}.
 */
public final class GitHead {
  private GitHead() {}

  public static Optional<String> read(Path checkout) {
    try {
      Path git = checkout.resolve(".git");
      if (Files.isRegularFile(git)) {
        // A worktree or submodule: ".git" is a file naming the real directory.
        String pointer = Files.readString(git, StandardCharsets.UTF_8).strip();
        if (!pointer.startsWith("gitdir:")) {
          return Optional.empty();
        }
        git = checkout.resolve(pointer.substring("gitdir:".length()).strip());
      }
      if (!Files.isRegularFile(git.resolve("HEAD"))) {
        return Optional.empty();
      }
      String head = Files.readString(git.resolve("HEAD"), StandardCharsets.UTF_8).strip();
      if (!head.startsWith("ref:")) {
        return sha(head);
      }
      String ref = head.substring(4).strip();
      Path loose = git.resolve(ref);
      if (Files.isRegularFile(loose)) {
        return sha(Files.readString(loose, StandardCharsets.UTF_8).strip());
      }
      Path packed = commonDir(git).resolve("packed-refs");
      if (Files.isRegularFile(packed)) {
        for (String line : Files.readAllLines(packed, StandardCharsets.UTF_8)) {
          String[] parts = line.strip().split(" ", 2);
          if (parts.length == 2 && parts[1].equals(ref)) {
            return sha(parts[0]);
          }
        }
      }
      Path common = commonDir(git).resolve(ref);
      return Files.isRegularFile(common)
          ? sha(Files.readString(common, StandardCharsets.UTF_8).strip())
          : Optional.empty();
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  private static Path commonDir(Path git) throws IOException {
    Path pointer = git.resolve("commondir");
    return Files.isRegularFile(pointer)
        ? git.resolve(Files.readString(pointer, StandardCharsets.UTF_8).strip())
        : git;
  }

  private static Optional<String> sha(String text) {
    return text.matches("[0-9a-f]{40}") ? Optional.of(text) : Optional.empty();
  }
}
