package io.imagefleet.docker;

import io.imagefleet.SafeFiles;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.Set;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * Unpacks the tar the daemon sends for a container path into a fresh directory: files, directories
 * and symbolic links with their modes and mtimes; hard links as copies. The tar comes from an image
 * built from an untrusted Dockerfile, so nothing is ever written or read through a symbolic link on
 * the host: an entry under a link, or one whose name leaves the directory, is refused. Link targets
 * are kept as written (they are read inside that tree, never on the host).
 */
public final class TarExtractor {
  private static final LinkOption NOFOLLOW = LinkOption.NOFOLLOW_LINKS;

  private TarExtractor() {}

  /**
   * Unpacks a tar of a whole tree (buildx's {@code --output type=tar}) into {@code root}, with the
   * same refusals as a container path's.
   */
  public static void extractTree(InputStream tar, Path root) throws IOException {
    extractPath(tar, "/", root);
  }

  /**
   * Unpacks the tar of the container path {@code path} (absolute) so that it lands at the same
   * place under {@code root}: {@code /opt/agent} in {@code root/opt/agent}. Each path is unpacked
   * in a fresh directory beside {@code root} first, then merged in without following links, so one
   * path's links never redirect another's files; what an earlier path put in place stays.
   */
  static void extractPath(InputStream tar, String path, Path root) throws IOException {
    String relative = path.replaceFirst("^/+", "");
    Path base = root.toAbsolutePath().normalize();
    Path fresh =
        Files.createTempDirectory(
            Files.createDirectories(base.getParent()), base.getFileName() + ".export-");
    try {
      Path tree = fresh.resolve("tree");
      Path landing = tree.resolve(relative).normalize();
      if (!landing.startsWith(tree)) {
        throw new IOException("container path " + path + " leaves " + root);
      }
      extract(tar, landing.equals(tree) ? tree : landing.getParent());
      if (Files.isSymbolicLink(base)) {
        throw new IOException(root + " is a symbolic link");
      }
      merge(tree, base);
    } finally {
      SafeFiles.deleteTree(fresh);
    }
  }

  /**
   * Moves {@code source} to {@code destination}, whose parent is a directory, not a link; where
   * both are directories (never links), their contents merge, and anything already at a place wins.
   */
  private static void merge(Path source, Path destination) throws IOException {
    if (!Files.exists(destination, NOFOLLOW)) {
      Files.move(source, destination);
      return;
    }
    if (!Files.isDirectory(source, NOFOLLOW) || !Files.isDirectory(destination, NOFOLLOW)) {
      return;
    }
    try (DirectoryStream<Path> children = Files.newDirectoryStream(source)) {
      for (Path child : children) {
        merge(child, destination.resolve(child.getFileName().toString()));
      }
    }
  }

  /** Unpacks {@code tar} into {@code into}, a directory that must not exist yet. */
  static void extract(InputStream tar, Path into) throws IOException {
    if (Files.exists(into, NOFOLLOW)) {
      throw new IOException(into + " already exists; a tar is unpacked into a fresh directory");
    }
    Path root = Files.createDirectories(into).toRealPath();
    TarArchiveInputStream in = new TarArchiveInputStream(tar);
    for (TarArchiveEntry entry = in.getNextEntry(); entry != null; entry = in.getNextEntry()) {
      String name = entry.getName();
      Path target = inside(root, name, name);
      if (target.equals(root)) {
        if (!entry.isDirectory()) {
          throw new IOException("tar entry " + name + " would replace " + root);
        }
        continue;
      }
      makeDirectories(root, target.getParent(), name);
      if (entry.isDirectory()) {
        if (!Files.isDirectory(target, NOFOLLOW)) {
          Files.deleteIfExists(target);
          Files.createDirectory(target);
        }
      } else if (entry.isSymbolicLink()) {
        replace(target, name);
        Files.createSymbolicLink(target, Path.of(entry.getLinkName()));
        continue;
      } else if (entry.isLink()) {
        Path source = linkedFile(root, entry);
        replace(target, name);
        Files.copy(source, target, LinkOption.NOFOLLOW_LINKS);
      } else if (entry.isFile()) {
        replace(target, name);
        Files.copy(in, target);
      } else {
        continue; // devices and fifos: nothing a layer of agent files needs
      }
      PosixFileAttributeView view =
          Files.getFileAttributeView(target, PosixFileAttributeView.class, NOFOLLOW);
      view.setPermissions(permissions(entry.getMode()));
      if ((entry.getMode() & 07000) != 0) {
        // setuid, setgid, sticky: beyond PosixFilePermission, kept as the stage has them
        Files.setAttribute(target, "unix:mode", entry.getMode() & 07777, NOFOLLOW);
      }
      view.setTimes(FileTime.from(entry.getModTime().toInstant()), null, null);
    }
  }

  /** {@code root/name}, refused when the name is absolute or its {@code ..} leave the root. */
  private static Path inside(Path root, String name, String entry) throws IOException {
    Path target = root.resolve(name).normalize();
    if (Path.of(name).isAbsolute() || !target.startsWith(root)) {
      throw new IOException("tar entry " + entry + " leaves " + root);
    }
    return target;
  }

  /**
   * Creates the directories from {@code root} down to {@code dir}; one that is a symbolic link (to
   * anywhere, even inside the tree) or not a directory refuses the entry.
   */
  private static void makeDirectories(Path root, Path dir, String entry) throws IOException {
    Path current = root;
    for (Path part : root.relativize(dir)) {
      if (part.toString().isEmpty()) {
        continue;
      }
      current = current.resolve(part);
      if (Files.isSymbolicLink(current)) {
        throw new IOException(
            "tar entry " + entry + " lies under the symbolic link " + root.relativize(current));
      }
      if (!Files.exists(current, NOFOLLOW)) {
        Files.createDirectory(current);
      } else if (!Files.isDirectory(current, NOFOLLOW)) {
        throw new IOException(
            "tar entry " + entry + " lies under " + root.relativize(current) + ", not a directory");
      }
    }
  }

  /**
   * The regular file a hard link entry copies: one already unpacked in the tree, reached without a
   * symbolic link on the way.
   */
  private static Path linkedFile(Path root, TarArchiveEntry entry) throws IOException {
    String name = entry.getName();
    Path source = inside(root, entry.getLinkName(), name);
    for (Path current = source.getParent();
        current != null && !current.equals(root);
        current = current.getParent()) {
      if (Files.isSymbolicLink(current)) {
        throw new IOException(
            "tar entry "
                + name
                + " links to "
                + entry.getLinkName()
                + " through the symbolic link "
                + root.relativize(current));
      }
    }
    if (!Files.isRegularFile(source, NOFOLLOW)) {
      throw new IOException(
          "tar entry " + name + " links to " + entry.getLinkName() + ", not a file in the tree");
    }
    return source;
  }

  /** Clears the way for an entry: removes a file or link (never its target) or an empty dir. */
  private static void replace(Path target, String entry) throws IOException {
    if (Files.isDirectory(target, NOFOLLOW)) {
      try (DirectoryStream<Path> children = Files.newDirectoryStream(target)) {
        if (children.iterator().hasNext()) {
          throw new IOException("tar entry " + entry + " would replace a non-empty directory");
        }
      }
    }
    Files.deleteIfExists(target);
  }

  private static Set<PosixFilePermission> permissions(int mode) {
    Set<PosixFilePermission> set = EnumSet.noneOf(PosixFilePermission.class);
    PosixFilePermission[] bits = PosixFilePermission.values(); // OWNER_READ … OTHERS_EXECUTE
    for (int i = 0; i < 9; i++) {
      if ((mode & (1 << (8 - i))) != 0) {
        set.add(bits[i]);
      }
    }
    return set;
  }
}
