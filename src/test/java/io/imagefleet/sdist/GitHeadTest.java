package io.imagefleet.sdist;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GitHeadTest {
  @TempDir Path dir;

  @Test
  void readsHeadLikeGitDoes() throws Exception {
    Path repo = Files.createDirectories(dir.resolve("repo"));
    git(repo, "init", "-q");
    Files.writeString(repo.resolve("a"), "1");
    git(repo, "add", ".");
    git(repo, "-c", "user.email=t@t", "-c", "user.name=t", "commit", "-qm", "one");
    String head = git(repo, "rev-parse", "HEAD").strip();

    assertThat(GitHead.read(repo)).contains(head);
    git(repo, "pack-refs", "--all");
    assertThat(GitHead.read(repo)).as("packed refs").contains(head);
    git(repo, "checkout", "-q", "--detach");
    assertThat(GitHead.read(repo)).as("detached").contains(head);
    Path worktree = dir.resolve("wt");
    git(repo, "worktree", "add", "-q", worktree.toString());
    assertThat(GitHead.read(worktree)).as("worktree").contains(head);
    assertThat(GitHead.read(dir)).isEmpty();
  }

  private static String git(Path dir, String... args) throws Exception {
    String[] command = new String[args.length + 3];
    command[0] = "git";
    command[1] = "-C";
    command[2] = dir.toString();
    System.arraycopy(args, 0, command, 3, args.length);
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(process.getInputStream().readAllBytes());
    assertThat(process.waitFor()).as(out).isZero();
    return out;
  }
}
