package io.imagefleet.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Unpacking what the daemon sends for a container path: what it keeps, what it refuses. */
class TarExtractorTest {
  @TempDir Path dir;

  @Test
  void keepsFilesDirectoriesLinksAndModes() throws Exception {
    // given a tar like GET /containers/{id}/archive?path=/opt/agent sends
    byte[] tar =
        tar(
            directory("agent/", 0750),
            file("agent/bin/tool", 0750, "#!/bin/sh\n"),
            symlink("agent/bin/link", "tool"),
            symlink("agent/bin/python", "/usr/bin/python3"),
            symlink("agent/lib", "../lib"),
            hardLink("agent/bin/copy", "agent/bin/tool"),
            file("agent/README", 0644, "read me"));

    // when
    TarExtractor.extract(new ByteArrayInputStream(tar), dir.resolve("opt"));

    // then
    Path agent = dir.resolve("opt/agent");
    assertThat(mode(agent)).isEqualTo("rwxr-x---");
    Path tool = agent.resolve("bin/tool");
    assertThat(Files.readString(tool)).isEqualTo("#!/bin/sh\n");
    assertThat(mode(tool)).isEqualTo("rwxr-x---");
    assertThat(Files.readSymbolicLink(agent.resolve("bin/link"))).isEqualTo(Path.of("tool"));
    assertThat(Files.readSymbolicLink(agent.resolve("bin/python")))
        .isEqualTo(Path.of("/usr/bin/python3"));
    assertThat(Files.readSymbolicLink(agent.resolve("lib"))).isEqualTo(Path.of("../lib"));
    Path copy = agent.resolve("bin/copy");
    assertThat(Files.isSymbolicLink(copy)).isFalse();
    assertThat(Files.readString(copy)).isEqualTo("#!/bin/sh\n");
    assertThat(mode(agent.resolve("README"))).isEqualTo("rw-r--r--");
    assertThat(listing(dir)).allMatch(path -> path.startsWith("opt"));
  }

  @Test
  void refusesEntriesThatLeaveTheDirectory() throws Exception {
    byte[] tar = tar(file("../escaped", 0644, "x"));

    assertThatThrownBy(() -> TarExtractor.extract(new ByteArrayInputStream(tar), dir.resolve("in")))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("tar entry ../escaped leaves");
    assertThat(dir.resolve("escaped")).doesNotExist();
  }

  @Test
  void refusesDotDotAndAbsoluteNames() throws Exception {
    Path outside = Files.createDirectories(dir.resolve("outside"));
    for (String name :
        List.of(
            "agent/../../escaped",
            "agent/../../outside/escaped",
            outside.resolve("absolute").toString(),
            "/escaped-absolute")) {
      byte[] tar = tar(directory("agent/", 0755), file(name, 0644, "x"));
      Path into = Files.createTempDirectory(dir, "in-").resolve("opt");

      assertThatThrownBy(() -> TarExtractor.extract(new ByteArrayInputStream(tar), into))
          .as(name)
          .isInstanceOf(IOException.class)
          .hasMessageContaining("tar entry " + name + " ");
    }
    assertThat(listing(outside)).isEmpty();
    assertThat(dir.resolve("escaped")).doesNotExist();
    assertThat(Path.of("/escaped-absolute")).doesNotExist();
  }

  @Test
  void refusesAnEntryUnderASymlinkThatPointsOutside() throws Exception {
    // given agent/evil, a link to a host directory, then a file "in" it
    Path outside = Files.createDirectories(dir.resolve("outside"));
    byte[] tar =
        tar(
            directory("agent/", 0755),
            symlink("agent/evil", outside.toString()),
            file("agent/evil/pwned.txt", 0644, "pwned"));

    // when / then
    assertThatThrownBy(() -> TarExtractor.extract(new ByteArrayInputStream(tar), dir.resolve("in")))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("tar entry agent/evil/pwned.txt ");
    assertThat(listing(outside)).isEmpty();
  }

  @Test
  void refusesAnEntryUnderARelativeSymlinkToAnotherDirectoryOfTheTree() throws Exception {
    // a link inside the tree is still a link: nothing is written through one
    byte[] tar =
        tar(
            directory("agent/real/", 0755),
            symlink("agent/alias", "real"),
            file("agent/alias/file", 0644, "x"));

    assertThatThrownBy(() -> TarExtractor.extract(new ByteArrayInputStream(tar), dir.resolve("in")))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("tar entry agent/alias/file ");
    assertThat(dir.resolve("in/agent/real/file")).doesNotExist();
  }

  @Test
  void refusesAHardLinkThroughASymlink() throws Exception {
    // given a host file, a link to its directory, and a hard link "to" the file through it
    Path outside = Files.createDirectories(dir.resolve("outside"));
    Files.writeString(outside.resolve("secret"), "host secret");
    byte[] tar =
        tar(
            directory("agent/", 0755),
            symlink("agent/evil", outside.toString()),
            hardLink("agent/copy", "agent/evil/secret"));

    assertThatThrownBy(() -> TarExtractor.extract(new ByteArrayInputStream(tar), dir.resolve("in")))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("tar entry agent/copy ");
    assertThat(dir.resolve("in/agent/copy")).doesNotExist();
    assertThat(Files.readString(outside.resolve("secret"))).isEqualTo("host secret");
  }

  @Test
  void refusesAHardLinkToASymlinkEntry() throws Exception {
    Path outside = Files.createDirectories(dir.resolve("outside"));
    Files.writeString(outside.resolve("secret"), "host secret");
    byte[] tar =
        tar(
            symlink("agent/link", outside.resolve("secret").toString()),
            hardLink("agent/copy", "agent/link"));

    assertThatThrownBy(() -> TarExtractor.extract(new ByteArrayInputStream(tar), dir.resolve("in")))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("tar entry agent/copy ");
    assertThat(dir.resolve("in/agent/copy")).doesNotExist();
  }

  @Test
  void refusesAHardLinkToAPathOutside() throws Exception {
    Path outside = Files.createDirectories(dir.resolve("outside"));
    Files.writeString(outside.resolve("secret"), "host secret");
    for (String link :
        List.of("../../outside/secret", outside.resolve("secret").toString(), "agent/missing")) {
      byte[] tar = tar(directory("agent/", 0755), hardLink("agent/copy", link));
      Path into = Files.createTempDirectory(dir, "in-").resolve("opt");

      assertThatThrownBy(() -> TarExtractor.extract(new ByteArrayInputStream(tar), into))
          .as(link)
          .isInstanceOf(IOException.class)
          .hasMessageContaining("tar entry agent/copy ");
      assertThat(into.resolve("agent/copy")).doesNotExist();
    }
  }

  @Test
  void aSymlinkEntryNeverReplacesAFileOutside() throws Exception {
    // given a host file, a link to its directory, and a symlink entry at the file's place
    Path outside = Files.createDirectories(dir.resolve("outside"));
    Files.writeString(outside.resolve("victim"), "keep me");
    byte[] tar =
        tar(
            directory("agent/", 0755),
            symlink("agent/evil", outside.toString()),
            symlink("agent/evil/victim", "/etc/passwd"));

    assertThatThrownBy(() -> TarExtractor.extract(new ByteArrayInputStream(tar), dir.resolve("in")))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("tar entry agent/evil/victim ");
    assertThat(Files.isSymbolicLink(outside.resolve("victim"))).isFalse();
    assertThat(Files.readString(outside.resolve("victim"))).isEqualTo("keep me");
  }

  @Test
  void refusesToUnpackIntoADirectoryThatIsAlreadyThere() throws Exception {
    // given the target is a link to a host directory (or any directory already there)
    Path outside = Files.createDirectories(dir.resolve("outside"));
    Path into = Files.createSymbolicLink(dir.resolve("in"), outside);
    byte[] tar = tar(file("agent/file", 0644, "x"));

    assertThatThrownBy(() -> TarExtractor.extract(new ByteArrayInputStream(tar), into))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("fresh directory");
    assertThat(listing(outside)).isEmpty();
  }

  @Test
  void pathsExportedIntoOneRootEachGoThroughAFreshDirectory() throws Exception {
    // given /opt whose agent is a link to a host directory, then /opt/agent/bin into the same root
    Path outside = Files.createDirectories(dir.resolve("outside"));
    Path root = dir.resolve("stages/builder");
    byte[] opt =
        tar(
            directory("opt/", 0755),
            symlink("opt/agent", outside.toString()),
            file("opt/tool", 0755, "tool"));
    byte[] bin = tar(directory("bin/", 0755), file("bin/pwned", 0644, "pwned"));
    byte[] venv = tar(directory("venv/", 0755), file("venv/python", 0755, "py"));

    // when
    TarExtractor.extractPath(new ByteArrayInputStream(opt), "/opt", root);
    TarExtractor.extractPath(new ByteArrayInputStream(bin), "/opt/agent/bin", root);
    TarExtractor.extractPath(new ByteArrayInputStream(venv), "/srv/venv", root);

    // then each is at its place under the root, nothing went through the link
    assertThat(listing(outside)).isEmpty();
    assertThat(Files.readSymbolicLink(root.resolve("opt/agent"))).isEqualTo(outside);
    assertThat(Files.readString(root.resolve("opt/tool"))).isEqualTo("tool");
    assertThat(Files.readString(root.resolve("srv/venv/python"))).isEqualTo("py");
    try (Stream<Path> siblings = Files.list(root.getParent())) {
      assertThat(siblings).containsExactly(root);
    }
  }

  private static String mode(Path path) throws IOException {
    return PosixFilePermissions.toString(
        Files.getPosixFilePermissions(path, LinkOption.NOFOLLOW_LINKS));
  }

  /** Every path under {@code root}, links not followed. */
  private static List<String> listing(Path root) throws IOException {
    try (Stream<Path> paths = Files.walk(root)) {
      return paths.filter(p -> !p.equals(root)).map(p -> root.relativize(p).toString()).toList();
    }
  }

  private interface Item {
    void write(TarArchiveOutputStream out) throws IOException;
  }

  private static Item directory(String name, int mode) {
    return out -> {
      TarArchiveEntry entry = new TarArchiveEntry(name);
      entry.setMode(040000 | mode);
      out.putArchiveEntry(entry);
      out.closeArchiveEntry();
    };
  }

  private static Item file(String name, int mode, String content) {
    return out -> {
      byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
      TarArchiveEntry entry = new TarArchiveEntry(name, true); // absolute names kept as written
      entry.setMode(0100000 | mode);
      entry.setSize(bytes.length);
      out.putArchiveEntry(entry);
      out.write(bytes);
      out.closeArchiveEntry();
    };
  }

  private static Item symlink(String name, String target) {
    return out -> {
      TarArchiveEntry entry = new TarArchiveEntry(name, TarArchiveEntry.LF_SYMLINK);
      entry.setLinkName(target);
      out.putArchiveEntry(entry);
      out.closeArchiveEntry();
    };
  }

  private static Item hardLink(String name, String target) {
    return out -> {
      TarArchiveEntry entry = new TarArchiveEntry(name, TarArchiveEntry.LF_LINK);
      entry.setLinkName(target);
      out.putArchiveEntry(entry);
      out.closeArchiveEntry();
    };
  }

  private static byte[] tar(Item... items) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (TarArchiveOutputStream out = new TarArchiveOutputStream(bytes)) {
      for (Item item : items) {
        item.write(out);
      }
    }
    return bytes.toByteArray();
  }
}
