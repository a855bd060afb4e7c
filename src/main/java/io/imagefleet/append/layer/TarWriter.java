package io.imagefleet.append.layer;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A minimal POSIX tar writer (ustar headers, PAX records for long or non-ASCII names and large
 * values). Written here rather than borrowed so that every header byte is decided by the caller: no
 * user names, no current times, nothing that differs between machines.
 */
public final class TarWriter {
  private static final int BLOCK = 512;
  private static final long MAX_OCTAL_11 = 077777777777L;
  private static final long MAX_OCTAL_7 = 07777777L;

  private final OutputStream out;

  public TarWriter(OutputStream out) {
    this.out = out;
  }

  void directory(String name, int mode, int uid, int gid, long mtime) throws IOException {
    header(name.endsWith("/") ? name : name + "/", '5', mode, uid, gid, 0, mtime, "");
  }

  void symlink(String name, String target, int uid, int gid, long mtime) throws IOException {
    header(name, '2', 0777, uid, gid, 0, mtime, target);
  }

  public void file(
      String name, int mode, int uid, int gid, long mtime, long size, InputStream content)
      throws IOException {
    header(name, '0', mode, uid, gid, size, mtime, "");
    long copied = content.transferTo(new Limited(out, size));
    if (copied != size) {
      throw new IOException(
          name + " changed while it was read (" + copied + " of " + size + " bytes)");
    }
    pad(size);
  }

  /** Ends the archive: two zero blocks. */
  public void finish() throws IOException {
    out.write(new byte[2 * BLOCK]);
    out.flush();
  }

  private void header(
      String name, char type, int mode, int uid, int gid, long size, long mtime, String link)
      throws IOException {
    Map<String, String> pax = new LinkedHashMap<>();
    if (!fits(name, 100)) {
      pax.put("path", name);
    }
    if (!fits(link, 100)) {
      pax.put("linkpath", link);
    }
    if (size > MAX_OCTAL_11) {
      pax.put("size", Long.toString(size));
    }
    if (uid > MAX_OCTAL_7) {
      pax.put("uid", Integer.toString(uid));
    }
    if (gid > MAX_OCTAL_7) {
      pax.put("gid", Integer.toString(gid));
    }
    if (!pax.isEmpty()) {
      byte[] records = paxRecords(pax);
      String paxName = "PaxHeaders/" + ascii(name.substring(Math.max(0, name.length() - 80)));
      writeHeader(paxName, 'x', 0644, 0, 0, records.length, mtime, "");
      out.write(records);
      pad(records.length);
    }
    writeHeader(name, type, mode, uid, gid, size, mtime, link);
  }

  private void writeHeader(
      String name, char type, int mode, int uid, int gid, long size, long mtime, String link)
      throws IOException {
    byte[] block = new byte[BLOCK];
    text(block, 0, 100, ascii(name));
    octal(block, 100, 8, mode & 07777);
    octal(block, 108, 8, Math.min(uid, MAX_OCTAL_7));
    octal(block, 116, 8, Math.min(gid, MAX_OCTAL_7));
    octal(block, 124, 12, Math.min(size, MAX_OCTAL_11));
    octal(block, 136, 12, Math.max(0, Math.min(mtime, MAX_OCTAL_11)));
    Arrays.fill(block, 148, 156, (byte) ' ');
    block[156] = (byte) type;
    text(block, 157, 100, ascii(link));
    text(block, 257, 6, "ustar");
    text(block, 263, 2, "00");
    octal(block, 329, 8, 0);
    octal(block, 337, 8, 0);
    long sum = 0;
    for (byte b : block) {
      sum += b & 0xff;
    }
    octal(block, 148, 7, sum);
    out.write(block);
  }

  private static byte[] paxRecords(Map<String, String> values) {
    StringBuilder records = new StringBuilder();
    values.forEach(
        (key, value) -> {
          String body = " " + key + "=" + value + "\n";
          int bodyLength = body.getBytes(StandardCharsets.UTF_8).length;
          int length = bodyLength + Integer.toString(bodyLength).length();
          if (Integer.toString(length).length() != Integer.toString(bodyLength).length()) {
            length = bodyLength + Integer.toString(length).length();
          }
          records.append(length).append(body);
        });
    return records.toString().getBytes(StandardCharsets.UTF_8);
  }

  private static boolean fits(String value, int length) {
    return value.length() <= length && value.chars().allMatch(c -> c > 0 && c < 128);
  }

  private static String ascii(String value) {
    StringBuilder out = new StringBuilder();
    for (char c : value.toCharArray()) {
      out.append(c > 0 && c < 128 ? c : '_');
    }
    return out.length() > 100 ? out.substring(0, 100) : out.toString();
  }

  private static void text(byte[] block, int offset, int length, String value) {
    byte[] bytes = value.getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(bytes, 0, block, offset, Math.min(bytes.length, length));
  }

  /** {@code length - 1} octal digits, zero padded, then NUL. */
  private static void octal(byte[] block, int offset, int length, long value) {
    String digits = Long.toOctalString(value);
    String padded = "0".repeat(Math.max(0, length - 1 - digits.length())) + digits;
    text(block, offset, length - 1, padded);
    block[offset + length - 1] = 0;
  }

  private void pad(long size) throws IOException {
    int rest = (int) (size % BLOCK);
    if (rest != 0) {
      out.write(new byte[BLOCK - rest]);
    }
  }

  /** Passes at most {@code limit} bytes to the archive, so a growing file can't corrupt it. */
  private static final class Limited extends OutputStream {
    private final OutputStream out;
    private long left;

    Limited(OutputStream out, long limit) {
      this.out = out;
      this.left = limit;
    }

    @Override
    public void write(int b) throws IOException {
      if (left > 0) {
        out.write(b);
        left--;
      }
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      int n = (int) Math.min(len, left);
      out.write(b, off, n);
      left -= n;
    }
  }
}
