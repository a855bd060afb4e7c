package io.imagefleet.append.assembly;

import com.fasterxml.jackson.databind.JsonNode;
import io.imagefleet.append.dockerfile.PosixPaths;
import io.imagefleet.append.layer.OwnedParents;
import io.imagefleet.registry.Deadline;
import io.imagefleet.registry.RegistryFailure;
import io.imagefleet.registry.RegistrySession;
import io.imagefleet.registry.Repository;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * Which of a few directories ({@link OwnedParents#lookups()}) a base image has, read from its
 * layers: streamed, top layer first, stopping once every directory is decided (present, or deleted
 * by a whiteout), each layer read once per run however many images share it. Nothing is written to
 * disk.
 */
final class BaseDirectories {
  private enum Seen {
    DIRECTORY,
    OTHER,
    DELETED
  }

  private final RegistrySession session;
  private final Set<String> lookups;
  private final ConcurrentHashMap<String, CompletableFuture<Map<String, Seen>>> layers =
      new ConcurrentHashMap<>();

  BaseDirectories(RegistrySession session, Set<String> lookups) {
    this.session = session;
    this.lookups = Set.copyOf(lookups);
  }

  /** The lookups {@code source}'s image (its layer descriptors, bottom first) has. */
  Set<String> existing(
      Repository source, List<JsonNode> descriptors, Deadline deadline, ImageLog out) {
    Map<String, Seen> decided = new HashMap<>();
    for (int i = descriptors.size() - 1; i >= 0 && decided.size() < lookups.size(); i--) {
      Map<String, Seen> layer = facts(source, descriptors.get(i), deadline, out);
      layer.forEach(decided::putIfAbsent);
    }
    Set<String> existing = new HashSet<>();
    for (String path : lookups) {
      Seen seen = decided.getOrDefault(path, Seen.DELETED);
      if (seen == Seen.OTHER) {
        throw RegistryFailure.failed(
            "read base "
                + source
                + " failed: "
                + path
                + " is not a directory there (a symbolic link, say), so where a COPY --chown"
                + " creates its parents depends on the base; use --builder engine");
      }
      if (seen == Seen.DIRECTORY && parentsExist(path, decided)) {
        existing.add(path);
      }
    }
    return existing;
  }

  private static boolean parentsExist(String path, Map<String, Seen> decided) {
    for (String p = PosixPaths.parent(path); !p.equals("/"); p = PosixPaths.parent(p)) {
      if (decided.getOrDefault(p, Seen.DIRECTORY) != Seen.DIRECTORY) {
        return false;
      }
    }
    return true;
  }

  /** What one layer says about the lookups, read once per run. */
  private Map<String, Seen> facts(
      Repository source, JsonNode descriptor, Deadline deadline, ImageLog out) {
    String digest = descriptor.path("digest").asText();
    CompletableFuture<Map<String, Seen>> mine = new CompletableFuture<>();
    CompletableFuture<Map<String, Seen>> theirs = layers.putIfAbsent(digest, mine);
    if (theirs == null) {
      try {
        Map<String, Seen> facts = read(source, digest, deadline);
        out.line("base layer " + digest + " read for the parents of COPY --chown destinations");
        mine.complete(facts);
        return facts;
      } catch (RuntimeException e) {
        layers.remove(digest, mine);
        mine.completeExceptionally(e);
        throw e;
      }
    }
    try {
      return theirs.get(deadline.left().toNanos() + 1, TimeUnit.NANOSECONDS);
    } catch (ExecutionException e) {
      throw RegistryFailure.failed(
          "read base layer " + digest + " of " + source + " failed: " + e.getCause().getMessage());
    } catch (TimeoutException e) {
      throw RegistryFailure.timedOut(
          "read base layer " + digest + " of " + source + " timed out waiting for another image");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw RegistryFailure.failed("read base layer " + digest + ": interrupted");
    }
  }

  // GET /v2/<name>/blobs/<digest>, through gzip when compressed, tar headers only
  private Map<String, Seen> read(Repository source, String digest, Deadline deadline) {
    Map<String, Seen> facts = new HashMap<>();
    try (InputStream blob = new BufferedInputStream(session.openBlob(source, digest, deadline));
        TarArchiveInputStream tar = new TarArchiveInputStream(uncompressed(blob))) {
      for (TarArchiveEntry entry; (entry = tar.getNextTarEntry()) != null; ) {
        String path = PosixPaths.clean(entry.getName());
        String name = PosixPaths.name(path);
        if (name.equals(".wh..wh..opq")) {
          String opaque = PosixPaths.parent(path);
          lookups.stream()
              .filter(l -> l.startsWith(opaque.equals("/") ? "/" : opaque + "/"))
              .forEach(l -> facts.putIfAbsent(l, Seen.DELETED));
        } else if (name.startsWith(".wh.")) {
          String gone = PosixPaths.resolve(PosixPaths.parent(path), name.substring(4));
          lookups.stream()
              .filter(l -> l.equals(gone) || l.startsWith(gone + "/"))
              .forEach(l -> facts.put(l, Seen.DELETED));
        } else {
          if (lookups.contains(path)) {
            facts.put(path, entry.isDirectory() ? Seen.DIRECTORY : Seen.OTHER);
          }
          for (String p = PosixPaths.parent(path); !p.equals("/"); p = PosixPaths.parent(p)) {
            if (lookups.contains(p)) {
              // Present in this layer, even below an opaque marker read before it.
              facts.merge(p, Seen.DIRECTORY, (old, now) -> old == Seen.OTHER ? old : now);
            }
          }
        }
      }
    } catch (IOException e) {
      throw RegistryFailure.failed(
          "read base layer " + digest + " of " + source + " failed: " + e.getMessage());
    }
    return facts;
  }

  private static InputStream uncompressed(InputStream blob) throws IOException {
    blob.mark(2);
    int first = blob.read();
    int second = blob.read();
    blob.reset();
    return first == 0x1f && second == 0x8b ? new GZIPInputStream(blob, 1 << 16) : blob;
  }
}
