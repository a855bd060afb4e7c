package io.imagefleet.append.layer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.imagefleet.append.dockerfile.AppendPlan;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LayerBuilderTest {
  @TempDir Path dir;
  Path context;
  Path builder;

  @BeforeEach
  void files() throws IOException {
    context = Files.createDirectories(dir.resolve("context"));
    Files.writeString(context.resolve("agent-1.0.tar.gz.txt"), "sdist");
    Files.writeString(context.resolve("a.py"), "print('a')\n");
    Files.writeString(context.resolve("b.py"), "print('b')\n");
    builder = Files.createDirectories(dir.resolve("builder"));
    Path server = Files.createDirectories(builder.resolve("agent-server/bin"));
    Files.writeString(server.resolve("run"), "#!/bin/sh\n");
    Files.setPosixFilePermissions(
        server.resolve("run"), PosixFilePermissions.fromString("rwxr-x---"));
    Files.createSymbolicLink(server.resolve("start"), Path.of("run"));
    Files.createDirectories(builder.resolve("usr/lib"));
    Files.writeString(builder.resolve("usr/lib/lib.so"), "elf");
    // An absolute link means the stage's /usr/lib, never the host's.
    Files.createSymbolicLink(builder.resolve("lib"), Path.of("/usr/lib"));
    Path deep = Files.createDirectories(builder.resolve("agent-server/" + "d".repeat(120)));
    Files.writeString(deep.resolve("long-name-é.txt"), "long");
  }

  private record Item(
      String name, char type, int mode, int uid, int gid, long mtime, String content) {}

  private AgentLayer layer(String dockerfile, String name) {
    AppendPlan plan =
        AppendPlan.parse(dockerfile, Optional.empty(), Map.of("SDIST", "agent-1.0.tar.gz.txt"));
    return new LayerBuilder(
            context,
            stage -> stage.equals("builder") ? builder : null,
            Optional.of(LayerBuilder.REPRODUCIBLE_MTIME))
        .build(plan, dir.resolve(name));
  }

  private static List<Item> entries(AgentLayer layer) throws IOException {
    List<Item> items = new ArrayList<>();
    try (TarArchiveInputStream tar =
        new TarArchiveInputStream(new GZIPInputStream(Files.newInputStream(layer.file())))) {
      TarArchiveEntry entry;
      while ((entry = tar.getNextEntry()) != null) {
        char type = entry.isDirectory() ? 'd' : entry.isSymbolicLink() ? 'l' : 'f';
        String content =
            entry.isSymbolicLink()
                ? entry.getLinkName()
                : new String(tar.readAllBytes(), StandardCharsets.UTF_8);
        items.add(
            new Item(
                entry.getName(),
                type,
                entry.getMode() & 07777,
                (int) entry.getLongUserId(),
                (int) entry.getLongGroupId(),
                entry.getModTime().getTime() / 1000,
                content));
      }
    }
    return items;
  }

  @Test
  void copiesWithDockerSemantics() throws IOException {
    // given a file to a directory, a directory's contents, a glob and a link through the stage root
    String dockerfile =
        """
        FROM ${BASE_IMAGE} AS x
        FROM ${BASE_IMAGE}
        ARG SDIST
        COPY ${SDIST} /opt/imagefleet/
        COPY --from=builder --chown=1000:1001 /agent-server/bin /opt/agent/bin
        COPY --chmod=0600 *.py /srv/app/
        COPY --from=builder /lib/lib.so /usr/local/lib/lib.so
        """
            .replace("FROM ${BASE_IMAGE} AS x\n", "FROM python:3.12 AS builder\n");

    // when
    List<Item> items = entries(layer(dockerfile, "layer.tar.gz"));

    // then: sorted, parents of destinations not included, modes kept unless --chmod
    assertThat(items)
        .containsExactly(
            new Item("opt/agent/bin/", 'd', 0755, 1000, 1001, 1, ""),
            new Item("opt/agent/bin/run", 'f', 0750, 1000, 1001, 1, "#!/bin/sh\n"),
            new Item("opt/agent/bin/start", 'l', 0777, 1000, 1001, 1, "run"),
            new Item("opt/imagefleet/agent-1.0.tar.gz.txt", 'f', 0644, 0, 0, 1, "sdist"),
            new Item("srv/app/a.py", 'f', 0600, 0, 0, 1, "print('a')\n"),
            new Item("srv/app/b.py", 'f', 0600, 0, 0, 1, "print('b')\n"),
            new Item("usr/local/lib/lib.so", 'f', 0644, 0, 0, 1, "elf"));
  }

  @Test
  void longAndNonAsciiNamesSurviveThroughPax() throws IOException {
    List<Item> items =
        entries(
            layer(
                "FROM python AS builder\nFROM ${BASE_IMAGE}\nCOPY --from=builder /agent-server /a/\n",
                "long.tar.gz"));

    assertThat(items).extracting(Item::name).contains("a/" + "d".repeat(120) + "/long-name-é.txt");
  }

  @Test
  void sameContentGivesTheSameDigestsAndTheyAreRight() throws Exception {
    String dockerfile =
        "FROM python AS builder\nFROM ${BASE_IMAGE}\nCOPY --from=builder / /x/\nCOPY . /ctx\n";

    AgentLayer first = layer(dockerfile, "one.tar.gz");
    // touching sources changes nothing with a fixed mtime
    Files.setLastModifiedTime(context.resolve("a.py"), FileTime.fromMillis(123_000));
    AgentLayer second = layer(dockerfile, "two.tar.gz");

    assertThat(second.digest()).isEqualTo(first.digest());
    assertThat(second.diffId()).isEqualTo(first.diffId());
    assertThat(Files.readAllBytes(second.file())).isEqualTo(Files.readAllBytes(first.file()));
    assertThat(first.digest()).isEqualTo(sha256(Files.readAllBytes(first.file())));
    try (InputStream in = new GZIPInputStream(Files.newInputStream(first.file()))) {
      assertThat(first.diffId()).isEqualTo(sha256(in.readAllBytes()));
    }
    assertThat(first.size()).isEqualTo(Files.size(first.file()));
  }

  @Test
  void gnuTarReadsTheLayer() throws Exception {
    AgentLayer layer =
        layer(
            "FROM python AS builder\nFROM ${BASE_IMAGE}\nCOPY --from=builder /agent-server /a/\n",
            "gnu.tar.gz");
    Process tar =
        new ProcessBuilder("tar", "-tzvf", layer.file().toString())
            .redirectErrorStream(true)
            .start();
    String listing = new String(tar.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

    assertThat(tar.waitFor()).as(listing).isZero();
    assertThat(listing).contains("a/bin/start -> run").contains("long-name-");
  }

  @Test
  void missingSourcesAndArchivesForAddAreErrors() throws IOException {
    assertThatThrownBy(() -> layer("FROM ${BASE_IMAGE}\nCOPY nope.txt /x\n", "e.tar.gz"))
        .hasMessage("Dockerfile line 2 (COPY nope.txt /x): nope.txt is not in the build context");
    assertThatThrownBy(() -> layer("FROM ${BASE_IMAGE}\nCOPY *.py /x\n", "e.tar.gz"))
        .hasMessageContaining("its sources match several files; end the destination with /");

    AgentLayer sdist = layer("FROM ${BASE_IMAGE}\nCOPY a.py /x/\n", "inner.tar.gz");
    Files.copy(sdist.file(), context.resolve("pkg.tar.gz"));
    assertThatThrownBy(() -> layer("FROM ${BASE_IMAGE}\nADD pkg.tar.gz /x/\n", "e.tar.gz"))
        .hasMessageContaining("pkg.tar.gz is an archive, which Docker's ADD would unpack");
    assertThat(entries(layer("FROM ${BASE_IMAGE}\nADD a.py /x/\n", "add.tar.gz")))
        .extracting(Item::name)
        .containsExactly("x/a.py");
  }

  @Test
  void laterCopiesReplaceEarlierOnes() throws IOException {
    List<Item> items =
        entries(
            layer(
                "FROM python AS builder\nFROM ${BASE_IMAGE}\nCOPY --from=builder /agent-server/bin /t\nCOPY a.py /t\nCOPY b.py /t/run\nCOPY b.py /t/start/\n",
                "replace.tar.gz"));

    // a file copied onto a directory goes into it; onto a file or link it replaces it
    assertThat(items)
        .extracting(Item::name, Item::type)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("t/", 'd'),
            org.assertj.core.groups.Tuple.tuple("t/a.py", 'f'),
            org.assertj.core.groups.Tuple.tuple("t/run", 'f'),
            org.assertj.core.groups.Tuple.tuple("t/start/b.py", 'f'));
  }

  private static String sha256(byte[] bytes) throws Exception {
    return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
  }
}
