package io.imagefleet.docker;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.Set;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * Unpacks the tar the daemon sends for a container path into a directory: files, directories and
 * symbolic links with their modes and mtimes; hard links as copies. Entry names that would leave
 * the directory are refused; link targets are kept as written (they are read inside that tree).
 */
final class TarExtractor {
  private TarExtractor() {}

  /**
   * Unpacks the tar of the container path {@code path} (absolute) so that it lands at the same
   * place under {@code root}: {@code /opt/agent} in {@code root/opt/agent}.
   */
  static void extractPath(InputStream tar, String path, Path root) throws IOException {
    Path parent = root.resolve(path.replaceFirst("^/+", "")).getParent();
    extract(tar, parent == null ? root : parent);
  }

  static void extract(InputStream tar, Path into) throws IOException {
    Path root = Files.createDirectories(into).toAbsolutePath().normalize();
    TarArchiveInputStream in = new TarArchiveInputStream(tar);
    for (TarArchiveEntry entry = in.getNextEntry(); entry != null; entry = in.getNextEntry()) {
      Path target = root.resolve(entry.getName()).normalize();
      if (!target.startsWith(root)) {
        throw new IOException("tar entry " + entry.getName() + " leaves " + root);
      }
      Files.createDirectories(target.getParent());
      if (entry.isDirectory()) {
        Files.createDirectories(target);
      } else if (entry.isSymbolicLink()) {
        Files.deleteIfExists(target);
        Files.createSymbolicLink(target, Path.of(entry.getLinkName()));
        continue;
      } else if (entry.isLink()) {
        Path source = root.resolve(entry.getLinkName()).normalize();
        if (!source.startsWith(root)) {
          throw new IOException("tar hard link " + entry.getName() + " leaves " + root);
        }
        Files.copy(source, target, StandardCopyOption.REPLACE_EXISTING);
      } else if (entry.isFile()) {
        Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
      } else {
        continue; // devices and fifos: nothing a layer of agent files needs
      }
      Files.setPosixFilePermissions(target, permissions(entry.getMode()));
      Files.setLastModifiedTime(target, FileTime.from(entry.getModTime().toInstant()));
    }
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
