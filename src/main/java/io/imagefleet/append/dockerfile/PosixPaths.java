package io.imagefleet.append.dockerfile;

import java.util.ArrayDeque;
import java.util.Deque;

/** Paths inside an image: always '/'-separated, whatever the machine. */
public final class PosixPaths {
  private PosixPaths() {}

  /** {@code path} made absolute against {@code directory} and cleaned ("." and ".." resolved). */
  public static String resolve(String directory, String path) {
    return clean(path.startsWith("/") ? path : directory + "/" + path);
  }

  /** An absolute, cleaned path: no ".", "..", doubled or trailing slashes ("/" stays "/"). */
  public static String clean(String path) {
    Deque<String> parts = new ArrayDeque<>();
    for (String part : path.split("/")) {
      if (part.isEmpty() || part.equals(".")) {
        continue;
      }
      if (part.equals("..")) {
        parts.pollLast();
      } else {
        parts.addLast(part);
      }
    }
    return "/" + String.join("/", parts);
  }

  public static String parent(String path) {
    int slash = path.lastIndexOf('/');
    return slash <= 0 ? "/" : path.substring(0, slash);
  }

  public static String name(String path) {
    return path.substring(path.lastIndexOf('/') + 1);
  }
}
