package io.imagefleet;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.Set;
import java.util.stream.Stream;

/** File writes that leave nothing half-written, file names for untrusted text, tree removal. */
public final class SafeFiles {
  /** Longest file name made from untrusted text; file systems allow 255 bytes. */
  static final int MAX_NAME = 200;

  private SafeFiles() {}

  /** Files written for people and later steps: readable by every user, whatever the umask. */
  static final Set<PosixFilePermission> SHARED_FILE = PosixFilePermissions.fromString("rw-r--r--");

  /** Directories created for such files: every user may list and enter them. */
  static final Set<PosixFilePermission> SHARED_DIRECTORY =
      PosixFilePermissions.fromString("rwxr-xr-x");

  /**
   * Writes through a temporary file in the same directory, then moves it into place at once. The
   * file is for people and later steps (the action runs as root, the next step may not): it ends up
   * rw-r--r--, and directories made for it rwxr-xr-x. The temporary file stays private until its
   * contents are complete.
   */
  public static void writeAtomically(Path file, byte[] bytes) throws IOException {
    Path target = file.toAbsolutePath();
    createSharedDirectories(target.getParent());
    Path temporary = Files.createTempFile(target.getParent(), ".imagefleet-", ".tmp");
    try {
      Files.write(temporary, bytes);
      share(temporary);
      Files.move(
          temporary, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(temporary);
    }
  }

  /**
   * Creates {@code dir} and its missing parents; each one created is rwxr-xr-x whatever the umask.
   * Directories that exist already keep their mode: they are the user's.
   */
  public static Path createSharedDirectories(Path dir) throws IOException {
    Path absolute = dir.toAbsolutePath();
    Path existing = absolute;
    while (existing != null && !Files.exists(existing)) {
      existing = existing.getParent();
    }
    Files.createDirectories(absolute);
    for (Path made = absolute; made != null && !made.equals(existing); made = made.getParent()) {
      setMode(made, SHARED_DIRECTORY);
    }
    return dir;
  }

  /**
   * Makes a file imagefleet wrote for people and later steps rw-r--r--: the umask applies when a
   * file is created, so an explicit mode is the only way past a restrictive one.
   */
  public static void share(Path file) throws IOException {
    setMode(file, SHARED_FILE);
  }

  private static void setMode(Path path, Set<PosixFilePermission> mode) throws IOException {
    try {
      Files.setPosixFilePermissions(path, mode);
    } catch (UnsupportedOperationException e) {
      // Not a POSIX file system: its own defaults apply.
    }
  }

  /**
   * A file name for untrusted text such as an instance id: ASCII letters, digits, {@code _ . -}
   * stay, everything else (and a leading dot) is percent-encoded as UTF-8, so {@code ../x} is
   * {@code %2E.%2Fx}; a lone UTF-16 surrogate, which UTF-8 can't encode, is {@code %uD800}.
   * Distinct texts give distinct names; a long one is cut and keeps a hash.
   */
  public static String fileName(String text) {
    StringBuilder name = new StringBuilder();
    boolean wellFormed = true;
    for (int codePoint : text.codePoints().toArray()) {
      if (codePoint <= Character.MAX_VALUE && Character.isSurrogate((char) codePoint)) {
        // Not '%' and two hex digits, so no other text encodes to it.
        name.append("%u").append(String.format("%04X", codePoint));
        wellFormed = false;
        continue;
      }
      for (byte b : Character.toString(codePoint).getBytes(StandardCharsets.UTF_8)) {
        appendByte(name, b);
      }
    }
    if (name.length() > MAX_NAME) {
      String hash = wellFormed ? sha256(text) : codeUnitsSha256(text);
      return name.substring(0, MAX_NAME - 17) + "-" + hash.substring(0, 16);
    }
    return name.toString();
  }

  private static void appendByte(StringBuilder name, byte b) {
    char c = (char) (b & 0xff);
    boolean plain =
        (c >= 'a' && c <= 'z')
            || (c >= 'A' && c <= 'Z')
            || (c >= '0' && c <= '9')
            || c == '_'
            || c == '-'
            || (c == '.' && name.length() > 0);
    if (plain) {
      name.append(c);
    } else {
      name.append('%').append(String.format("%02X", b & 0xff));
    }
  }

  /**
   * The SHA-256 of a text's UTF-16 code units after a 0xFF byte, which no UTF-8 starts with, so it
   * differs from every {@link #sha256(String)} and keeps lone surrogates apart.
   */
  private static String codeUnitsSha256(String text) {
    ByteBuffer units = ByteBuffer.allocate(1 + 2 * text.length()).put((byte) 0xff);
    text.chars().forEach(unit -> units.putChar((char) unit));
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(units.array()));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** {@code parent/fileName(text)}, checked to stay directly under {@code parent}. */
  public static Path child(Path parent, String text, String suffix) {
    Path base = parent.toAbsolutePath().normalize();
    Path child = base.resolve(fileName(text) + suffix).normalize();
    if (!base.equals(child.getParent())) {
      throw new IllegalStateException(child + " is not directly under " + base);
    }
    return child;
  }

  /**
   * Removes a directory and everything in it; a missing one is fine. Links are never followed: a
   * link, at the top or inside, is removed itself, its target left alone.
   */
  public static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  /**
   * As {@link #deleteTree(Path)}, refusing anything that is not strictly inside {@code within},
   * compared on real paths: a directory on the way that is a link to elsewhere refuses the delete.
   */
  public static void deleteTree(Path root, Path within) throws IOException {
    Path inside = within.toAbsolutePath().normalize();
    Path target = root.toAbsolutePath().normalize();
    requireInside(target, inside);
    if (!Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    // The last name stays unresolved, so a link there is removed itself.
    Path real = target.getParent().toRealPath().resolve(target.getFileName());
    requireInside(real, within.toRealPath());
    deleteTree(real);
  }

  private static void requireInside(Path target, Path inside) throws IOException {
    if (!target.startsWith(inside) || target.equals(inside)) {
      throw new IOException("refusing to delete " + target + ": not inside " + inside);
    }
  }

  /** The SHA-256 of the text's UTF-8 bytes, in hex. */
  public static String sha256(String text) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
