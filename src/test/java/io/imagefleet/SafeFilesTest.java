package io.imagefleet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafeFilesTest {
  @TempDir Path dir;

  @Test
  void fileNamesFromUntrustedTextStayPlainAndDistinct() {
    assertThat(SafeFiles.fileName("django__django-12155")).isEqualTo("django__django-12155");
    assertThat(SafeFiles.fileName("../x")).isEqualTo("%2E.%2Fx");
    assertThat(SafeFiles.fileName("/tmp/victim")).isEqualTo("%2Ftmp%2Fvictim");
    assertThat(SafeFiles.fileName("a\\\\b%c")).isEqualTo("a%5C%5Cb%25c");
    assertThat(SafeFiles.fileName("é")).isEqualTo("%C3%A9");
    Set<String> names = new HashSet<>();
    for (String id : List.of("a/b", "a%2Fb", "a_b", "a.b", ".a", "%2Ea")) {
      assertThat(names.add(SafeFiles.fileName(id))).as(id).isTrue();
    }
    String longName = SafeFiles.fileName("/".repeat(200));
    assertThat(longName).hasSize(SafeFiles.MAX_NAME);
    assertThat(SafeFiles.fileName("/".repeat(201)))
        .hasSize(SafeFiles.MAX_NAME)
        .isNotEqualTo(longName);
  }

  @Test
  void idsWithLoneSurrogatesGetNamesOfTheirOwn() {
    // given ids that differ only in a lone UTF-16 surrogate, which UTF-8 can't encode
    List<String> ids =
        List.of("a\uD800", "a\uDC00", "a?", "a%3F", "a\uD800\uDC00", "a\uDC00\uD800");
    Set<String> names = new HashSet<>();
    for (String id : ids) {
      assertThat(names.add(SafeFiles.fileName(id))).as(id).isTrue();
    }
    // and long ones, whose names are cut and keep a hash
    String head = "x".repeat(SafeFiles.MAX_NAME + 1);
    assertThat(SafeFiles.fileName(head + "\uD800"))
        .isNotEqualTo(SafeFiles.fileName(head + "\uDC00"));
    assertThat(SafeFiles.fileName(head + "\uD800"))
        .isNotEqualTo(SafeFiles.fileName(head + "%uD800"))
        .hasSize(SafeFiles.MAX_NAME);
    // while a well-formed pair keeps its UTF-8 name, and long plain ids their hash
    assertThat(SafeFiles.fileName("a\uD83D\uDE00")).isEqualTo("a%F0%9F%98%80");
    assertThat(SafeFiles.fileName(head))
        .isEqualTo(
            head.substring(0, SafeFiles.MAX_NAME - 17)
                + "-"
                + SafeFiles.sha256(head).substring(0, 16));
  }

  @Test
  void childrenStayUnderTheirParent() {
    for (String id : List.of("..", "../../etc", "/etc/passwd", "a/../../b", ".")) {
      Path child = SafeFiles.child(dir, id, ".log");
      assertThat(child.getParent()).as(id).isEqualTo(dir.toAbsolutePath().normalize());
    }
  }

  @Test
  void treeDeletesRefuseAnythingOutsideTheirRoot() throws IOException {
    Path output = Files.createDirectories(dir.resolve("out"));
    Path victim = Files.createDirectories(dir.resolve("victim"));
    Files.writeString(victim.resolve("keep"), "x");

    assertThatThrownBy(() -> SafeFiles.deleteTree(output.resolve("../victim"), output))
        .isInstanceOf(IOException.class)
        .hasMessage("refusing to delete " + victim + ": not inside " + output);
    assertThatThrownBy(() -> SafeFiles.deleteTree(output, output)).isInstanceOf(IOException.class);
    assertThat(victim.resolve("keep")).exists();

    Path inside = Files.createDirectories(output.resolve("contexts/a"));
    SafeFiles.deleteTree(inside, output);
    assertThat(inside).doesNotExist();
  }

  @Test
  void treeDeletesNeverGoThroughASymbolicLink() throws IOException {
    // given output/contexts, a link to a directory outside holding a context-like tree
    Path output = Files.createDirectories(dir.resolve("out"));
    Path outside = Files.createDirectories(dir.resolve("outside"));
    Files.createDirectories(outside.resolve("django__django-1"));
    Files.writeString(outside.resolve("django__django-1/Dockerfile"), "keep");
    Files.writeString(outside.resolve("keep"), "keep");
    Path contexts = Files.createSymbolicLink(output.resolve("contexts"), outside);

    // when a context under it is deleted, then the call refuses and nothing outside goes
    assertThatThrownBy(() -> SafeFiles.deleteTree(contexts.resolve("django__django-1"), output))
        .isInstanceOf(IOException.class)
        .hasMessageStartingWith("refusing to delete ");
    assertThat(outside.resolve("django__django-1/Dockerfile")).exists();

    // when the link itself is deleted, then only the link goes
    SafeFiles.deleteTree(contexts, output);
    assertThat(contexts).doesNotExist();
    assertThat(outside.resolve("keep")).exists();
    assertThat(outside.resolve("django__django-1/Dockerfile")).exists();

    // when a tree holding a link to outside is deleted, then the link goes, not its target's files
    Path logs = Files.createDirectories(output.resolve("logs"));
    Files.createSymbolicLink(logs.resolve("link"), outside);
    SafeFiles.deleteTree(logs, output);
    assertThat(logs).doesNotExist();
    assertThat(outside.resolve("keep")).exists();
  }
}
