package io.imagefleet.append.layer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.imagefleet.SafeFiles;
import io.imagefleet.append.dockerfile.Stage;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;

/**
 * What an append run makes once and a later run with the same inputs can take as it is, kept under
 * one directory by content key: an earlier stage's exported paths ({@code stages/<key>/root}, with
 * {@code tree.sha256} over their names, types, modes, link targets and bytes) and the agent layer
 * ({@code layers/<key>/layer.tar.gz} with {@code layer.json}: digest, diff id, size, parent
 * chains). An entry is made in a temporary directory beside the others and renamed into place, so
 * it is whole or absent; each is checked against its digests when read, and one that fails is
 * removed and made again.
 */
public final class AppendCache {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String TREE = "tree.sha256";
  private static final String LAYER = "layer.tar.gz";
  private static final String LAYER_JSON = "layer.json";

  private final Path dir;
  private final Consumer<String> notes;

  /**
   * @param notes told, one line each, about an entry found broken and removed
   */
  public AppendCache(Path dir, Consumer<String> notes) {
    this.dir = dir.toAbsolutePath();
    this.notes = notes;
  }

  public Path directory() {
    return dir;
  }

  /**
   * An entry: where its content is, the digest that stands for that content, and whether reused.
   */
  public record Stage(Path root, String treeDigest, boolean reused) {}

  /** A layer and whether it was reused from the cache. */
  public record Layer(AgentLayer layer, boolean reused) {}

  /**
   * The exported stage under {@code key}: the cached one when it checks out, else {@code export}
   * fills an empty root that then becomes the entry.
   */
  public Stage stage(String key, Consumer<Path> export) throws IOException {
    Path entry = entry("stages", key);
    Optional<String> cached = verifiedTree(entry);
    if (cached.isPresent()) {
      return new Stage(entry.resolve("root"), cached.get(), true);
    }
    Path temporary = temporary("stages");
    try {
      Path root = Files.createDirectories(temporary.resolve("root"));
      export.accept(root);
      String tree = treeDigest(root);
      Files.writeString(temporary.resolve(TREE), tree);
      if (!place(temporary, entry)) {
        // Another run put the same entry there first; it stands for the same inputs.
        Optional<String> theirs = verifiedTree(entry);
        if (theirs.isPresent()) {
          return new Stage(entry.resolve("root"), theirs.get(), false);
        }
        throw new IOException("cannot place " + entry);
      }
      return new Stage(entry.resolve("root"), tree, false);
    } finally {
      SafeFiles.deleteTree(temporary);
    }
  }

  /**
   * The agent layer under {@code key}: the cached one when its bytes match its digests, else {@code
   * build} writes it to the path it is given and it becomes the entry.
   */
  public Layer layer(String key, Function<Path, AgentLayer> build) throws IOException {
    Path entry = entry("layers", key);
    Optional<AgentLayer> cached = verifiedLayer(entry);
    if (cached.isPresent()) {
      return new Layer(cached.get(), true);
    }
    Path temporary = temporary("layers");
    try {
      AgentLayer built = build.apply(temporary.resolve(LAYER));
      Files.write(temporary.resolve(LAYER_JSON), describe(built));
      if (!place(temporary, entry)) {
        Optional<AgentLayer> theirs = verifiedLayer(entry);
        if (theirs.isPresent()) {
          return new Layer(theirs.get(), false);
        }
        throw new IOException("cannot place " + entry);
      }
      return new Layer(at(built, entry.resolve(LAYER)), false);
    } finally {
      SafeFiles.deleteTree(temporary);
    }
  }

  /**
   * SHA-256 over a tree, in path order: each entry's relative path and type, a directory's and a
   * file's mode, a link's target, a file's size and bytes. Owners and mtimes are left out: the
   * layer sets its own.
   */
  public static String treeDigest(Path root) throws IOException {
    MessageDigest digest = LayerBuilder.sha256();
    List<Path> paths;
    try (Stream<Path> walk = Files.walk(root)) {
      paths = new ArrayList<>(walk.filter(p -> !p.equals(root)).toList());
    }
    paths.sort((a, b) -> relative(root, a).compareTo(relative(root, b)));
    byte[] buffer = new byte[1 << 16];
    for (Path path : paths) {
      BasicFileAttributes attributes =
          Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
      String name = relative(root, path);
      String line;
      if (attributes.isSymbolicLink()) {
        line = "l " + name + " -> " + Files.readSymbolicLink(path);
      } else if (attributes.isDirectory()) {
        line = "d " + name + " " + mode(path);
      } else if (attributes.isRegularFile()) {
        line = "f " + name + " " + mode(path) + " " + attributes.size();
      } else {
        line = "o " + name;
      }
      digest.update((line + "\n").getBytes(StandardCharsets.UTF_8));
      if (attributes.isRegularFile()) {
        try (InputStream in = Files.newInputStream(path, LinkOption.NOFOLLOW_LINKS)) {
          for (int n; (n = in.read(buffer)) > 0; ) {
            digest.update(buffer, 0, n);
          }
        }
      }
    }
    return "sha256:" + HexFormat.of().formatHex(digest.digest());
  }

  private static String relative(Path root, Path path) {
    return root.relativize(path).toString().replace('\\', '/');
  }

  private static String mode(Path path) throws IOException {
    try {
      int mode = (Integer) Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS);
      return Integer.toOctalString(mode & 07777);
    } catch (UnsupportedOperationException e) {
      return Files.isExecutable(path) ? "x" : "-";
    }
  }

  private Path entry(String kind, String key) {
    String hex = key.startsWith("sha256:") ? key.substring("sha256:".length()) : key;
    if (!hex.matches("[0-9a-f]{64}")) {
      throw new IllegalArgumentException("not a sha256 key: " + key);
    }
    return dir.resolve(kind).resolve(hex);
  }

  private Path temporary(String kind) throws IOException {
    Path parent = SafeFiles.createSharedDirectories(dir.resolve(kind));
    return Files.createTempDirectory(parent, ".making-");
  }

  /** Renames the made entry into place; false when one is there already. */
  private static boolean place(Path temporary, Path entry) throws IOException {
    try {
      Files.move(temporary, entry, StandardCopyOption.ATOMIC_MOVE);
      return true;
    } catch (FileAlreadyExistsException | DirectoryNotEmptyException e) {
      return false;
    }
  }

  private Optional<String> verifiedTree(Path entry) throws IOException {
    if (!Files.isDirectory(entry, LinkOption.NOFOLLOW_LINKS)) {
      return Optional.empty();
    }
    try {
      String recorded = Files.readString(entry.resolve(TREE)).strip();
      String actual = treeDigest(entry.resolve("root"));
      if (recorded.equals(actual)) {
        return Optional.of(actual);
      }
      return broken(entry, "its files' digest is " + actual + ", not the recorded " + recorded);
    } catch (IOException | UncheckedIOException e) {
      return broken(entry, "unreadable: " + e.getMessage());
    }
  }

  private Optional<AgentLayer> verifiedLayer(Path entry) throws IOException {
    if (!Files.isDirectory(entry, LinkOption.NOFOLLOW_LINKS)) {
      return Optional.empty();
    }
    try {
      AgentLayer recorded = read(entry);
      Path file = entry.resolve(LAYER);
      MessageDigest compressed = LayerBuilder.sha256();
      MessageDigest uncompressed = LayerBuilder.sha256();
      try (InputStream in =
          new DigestInputStream(
              new GZIPInputStream(
                  new DigestInputStream(Files.newInputStream(file), compressed), 1 << 16),
              uncompressed)) {
        in.transferTo(OutputStream.nullOutputStream());
      }
      String digest = "sha256:" + HexFormat.of().formatHex(compressed.digest());
      String diffId = "sha256:" + HexFormat.of().formatHex(uncompressed.digest());
      if (digest.equals(recorded.digest())
          && diffId.equals(recorded.diffId())
          && Files.size(file) == recorded.size()) {
        return Optional.of(recorded);
      }
      return broken(
          entry, "its bytes' digest is " + digest + ", not the recorded " + recorded.digest());
    } catch (IOException | RuntimeException e) {
      return broken(entry, "unreadable: " + e.getMessage());
    }
  }

  private <T> Optional<T> broken(Path entry, String why) throws IOException {
    notes.accept(
        "cache entry " + entry + " is broken (" + why + "); removing it and making it again");
    SafeFiles.deleteTree(entry, dir);
    return Optional.empty();
  }

  private static byte[] describe(AgentLayer layer) throws IOException {
    ObjectNode json = JSON.createObjectNode();
    json.put("digest", layer.digest());
    json.put("diffId", layer.diffId());
    json.put("size", layer.size());
    ArrayNode parents = json.putArray("parents");
    for (AgentLayer.ParentChain chain : layer.parents()) {
      ObjectNode node = parents.addObject();
      ArrayNode directories = node.putArray("directories");
      chain.directories().forEach(directories::add);
      node.put("uid", chain.uid());
      node.put("gid", chain.gid());
    }
    return JSON.writeValueAsBytes(json);
  }

  private static AgentLayer read(Path entry) throws IOException {
    JsonNode json = JSON.readTree(entry.resolve(LAYER_JSON).toFile());
    List<AgentLayer.ParentChain> parents = new ArrayList<>();
    for (JsonNode node : json.path("parents")) {
      List<String> directories = new ArrayList<>();
      node.path("directories").forEach(d -> directories.add(d.asText()));
      parents.add(
          new AgentLayer.ParentChain(
              directories, node.path("uid").asInt(), node.path("gid").asInt()));
    }
    if (!json.path("digest").isTextual() || !json.path("size").canConvertToLong()) {
      throw new IOException(LAYER_JSON + " lacks digest or size");
    }
    return new AgentLayer(
        entry.resolve(LAYER),
        json.path("digest").asText(),
        json.path("diffId").asText(),
        json.path("size").asLong(),
        parents);
  }

  private static AgentLayer at(AgentLayer layer, Path file) {
    return new AgentLayer(file, layer.digest(), layer.diffId(), layer.size(), layer.parents());
  }
}
