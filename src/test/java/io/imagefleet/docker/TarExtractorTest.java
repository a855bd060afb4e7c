package io.imagefleet.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
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
            directory("agent/", 0755),
            file("agent/bin/tool", 0750, "#!/bin/sh\n"),
            symlink("agent/bin/link", "tool"),
            hardLink("agent/bin/copy", "agent/bin/tool"));

    // when
    TarExtractor.extract(new ByteArrayInputStream(tar), dir.resolve("opt"));

    // then
    Path tool = dir.resolve("opt/agent/bin/tool");
    assertThat(Files.readString(tool)).isEqualTo("#!/bin/sh\n");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(tool)))
        .isEqualTo("rwxr-x---");
    assertThat(Files.readSymbolicLink(dir.resolve("opt/agent/bin/link")))
        .isEqualTo(Path.of("tool"));
    assertThat(Files.readString(dir.resolve("opt/agent/bin/copy"))).isEqualTo("#!/bin/sh\n");
  }

  @Test
  void refusesEntriesThatLeaveTheDirectory() throws Exception {
    byte[] tar = tar(file("../escaped", 0644, "x"));

    assertThatThrownBy(() -> TarExtractor.extract(new ByteArrayInputStream(tar), dir.resolve("in")))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("tar entry ../escaped leaves");
    assertThat(dir.resolve("escaped")).doesNotExist();
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
      TarArchiveEntry entry = new TarArchiveEntry(name);
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
