package io.imagefleet.append.layer;

import io.imagefleet.ImagefleetException;
import io.imagefleet.LocalFailure;
import io.imagefleet.append.dockerfile.AppendPlan;
import io.imagefleet.append.dockerfile.FileCopy;
import io.imagefleet.append.dockerfile.FoldedRun;
import io.imagefleet.append.dockerfile.PosixPaths;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * Writes the one layer of an {@link AppendPlan}: the files its COPY and ADD lines produce, with
 * Docker's rules (a directory source copies its contents, a destination ending in / is a directory,
 * several sources need one, {@code *}/{@code ?}/{@code [..]} globs, later copies win), as a
 * deterministic tar: entries sorted by path, owner 0:0 unless {@code --chown}, modes kept unless
 * {@code --chmod}, one mtime for all when {@code fixedMtime} is given. Parent directories the copy
 * doesn't create itself get no entry, so the base's own (say /tmp, mode 1777) stay as they are;
 * missing ones are created 0755 by whoever unpacks the layer, as Docker creates them.
 *
 * <p>Sources of {@code COPY --from=<stage>} are read under {@code stageRoots.apply(stage)}, a
 * directory holding that stage's files (a rootfs export, or just the paths {@link
 * AppendPlan#stageSources()} names, at their places). Symbolic links are resolved inside the root
 * they belong to, never on the host.
 */
public final class LayerBuilder {
  /** One second after the epoch, as Jib uses: some tools reject a zero mtime. */
  public static final Instant REPRODUCIBLE_MTIME = Instant.ofEpochSecond(1);

  private final Path context;
  private final Function<String, Path> stageRoots;
  private final Optional<Instant> fixedMtime;

  /**
   * @param fixedMtime the mtime of every entry; empty keeps each source's (as Docker does, and as
   *     Python's mtime-checked .pyc files need), at the price of a digest that changes when a stage
   *     is rebuilt
   */
  public LayerBuilder(
      Path context, Function<String, Path> stageRoots, Optional<Instant> fixedMtime) {
    this.context = context;
    this.stageRoots = stageRoots;
    this.fixedMtime = fixedMtime;
  }

  private sealed interface Entry permits Directory, RegularFile, Symlink {}

  private record Directory(int mode, int uid, int gid, long mtime) implements Entry {}

  private record RegularFile(Path source, int mode, int uid, int gid, long mtime, long size)
      implements Entry {}

  private record Symlink(String target, int uid, int gid, long mtime) implements Entry {}

  /** Writes the layer to {@code out} (gzip) and returns its digests, computed in the same pass. */
  public AgentLayer build(AppendPlan plan, Path out) {
    TreeMap<String, Entry> entries = new TreeMap<>();
    List<AgentLayer.ParentChain> parents = new ArrayList<>();
    Set<String> copiedInto = new java.util.HashSet<>();
    for (Object step : plan.steps()) {
      if (step instanceof FileCopy copy) {
        add(copy, entries, parents);
        if (copy.destinationIsDirectory()) {
          copiedInto.add(copy.destination());
        }
      } else {
        fold((FoldedRun) step, entries, copiedInto);
      }
    }
    try {
      return write(entries, out, parents);
    } catch (IOException e) {
      throw new LocalFailure("write the agent layer " + out + " failed: " + e, e);
    }
  }

  private void add(
      FileCopy copy, TreeMap<String, Entry> entries, List<AgentLayer.ParentChain> parents) {
    Path root = copy.fromStage().map(stageRoots).orElse(context).toAbsolutePath().normalize();
    List<String> sources = new ArrayList<>();
    for (String source : copy.sources()) {
      List<String> matches = glob(root, PosixPaths.clean(source), copy);
      if (matches.isEmpty()) {
        throw failure(copy, source + " is not in " + where(copy));
      }
      sources.addAll(matches);
    }
    if (sources.size() > 1 && !copy.destinationIsDirectory()) {
      throw failure(copy, "its sources match several files; end the destination with /");
    }
    for (String source : sources) {
      Path path = resolveInRoot(root, source, copy);
      if (Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)) {
        // Docker's builder makes a directory's way as root and chowns only what it copies.
        parents.add(chain(copy.destination(), 0, 0));
        addDirectory(copy, path, copy.destination(), entries);
      } else if (Files.isRegularFile(path, LinkOption.NOFOLLOW_LINKS)) {
        if (copy.add()) {
          requireNotArchive(copy, path);
        }
        // Into a directory an earlier copy made, as Docker would; the base's are unknown here.
        boolean intoDirectory =
            copy.destinationIsDirectory() || entries.get(copy.destination()) instanceof Directory;
        String destination =
            intoDirectory
                ? PosixPaths.resolve(copy.destination(), PosixPaths.name(source))
                : copy.destination();
        // A file's missing parents get the --chown owner (idtools.MkdirAllAndChownNew).
        parents.add(chain(destination, uid(copy), gid(copy)));
        put(entries, destination, regular(copy, path));
      } else {
        throw failure(copy, source + " is neither a file nor a directory");
      }
    }
  }

  /** The directories above {@code path}, top down. */
  private static AgentLayer.ParentChain chain(String path, int uid, int gid) {
    List<String> directories = new ArrayList<>();
    for (String d = PosixPaths.parent(path); !d.equals("/"); d = PosixPaths.parent(d)) {
      directories.add(0, d);
    }
    return new AgentLayer.ParentChain(directories, uid, gid);
  }

  private void addDirectory(
      FileCopy copy, Path directory, String destination, TreeMap<String, Entry> entries) {
    try {
      Files.walkFileTree(directory, new TreeCopy(copy, directory, destination, entries));
    } catch (IOException e) {
      throw failure(copy, "reading " + directory + " failed: " + e.getMessage());
    }
  }

  /** Puts a directory source's tree under the destination: directories, files, symbolic links. */
  private final class TreeCopy extends SimpleFileVisitor<Path> {
    private final FileCopy copy;
    private final Path directory;
    private final String destination;
    private final TreeMap<String, Entry> entries;

    TreeCopy(FileCopy copy, Path directory, String destination, TreeMap<String, Entry> entries) {
      this.copy = copy;
      this.directory = directory;
      this.destination = destination;
      this.entries = entries;
    }

    @Override
    public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attributes) {
      String target = target(dir);
      if (!target.equals("/")) {
        // BuildKit's --chmod applies to what is copied, not to the directory copied into.
        int mode = dir.equals(directory) ? sourceMode(dir) : mode(copy, dir);
        put(entries, target, new Directory(mode, uid(copy), gid(copy), mtime(attributes)));
      }
      return FileVisitResult.CONTINUE;
    }

    @Override
    public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) throws IOException {
      if (attributes.isSymbolicLink()) {
        String link = Files.readSymbolicLink(file).toString();
        put(entries, target(file), new Symlink(link, uid(copy), gid(copy), mtime(attributes)));
      } else if (attributes.isRegularFile()) {
        put(entries, target(file), regular(copy, file));
      }
      return FileVisitResult.CONTINUE;
    }

    private String target(Path path) {
      String relative = directory.relativize(path).toString().replace('\\', '/');
      return PosixPaths.resolve(destination, relative);
    }
  }

  private RegularFile regular(FileCopy copy, Path file) {
    try {
      BasicFileAttributes attributes =
          Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
      return new RegularFile(
          file, mode(copy, file), uid(copy), gid(copy), mtime(attributes), attributes.size());
    } catch (IOException e) {
      throw failure(copy, "reading " + file + " failed: " + e.getMessage());
    }
  }

  /**
   * A later copy replaces what an earlier one put at the path (a whole tree included) or on the way
   * to it (a file where a directory is now needed).
   */
  private static void put(TreeMap<String, Entry> entries, String path, Entry entry) {
    for (String parent = PosixPaths.parent(path); !parent.equals("/"); ) {
      if (entries.containsKey(parent) && !(entries.get(parent) instanceof Directory)) {
        entries.remove(parent);
      }
      parent = PosixPaths.parent(parent);
    }
    if (!(entry instanceof Directory)) {
      entries.subMap(path + "/", path + "0").clear();
    }
    entries.put(path, entry);
  }

  /** A folded RUN's commands applied to the entries the stage's copies made, in order. */
  private void fold(FoldedRun run, TreeMap<String, Entry> entries, Set<String> copiedInto) {
    long mtime = fixedMtime.orElse(REPRODUCIBLE_MTIME).getEpochSecond();
    for (FoldedRun.Op op : run.ops()) {
      if (op instanceof FoldedRun.Mkdir mkdir) {
        mkdir.paths().forEach(path -> makeDirectories(run, path, entries, copiedInto, mtime));
      } else if (op instanceof FoldedRun.Symlink link) {
        String path = link.path();
        if (entries.get(path) instanceof Directory) {
          path = PosixPaths.resolve(path, PosixPaths.name(link.target()));
        }
        if (entries.containsKey(path) && !link.force()) {
          throw foldFailure(run, path + " exists (ln -s without -f fails there)");
        }
        String parent = PosixPaths.parent(path);
        if (!(entries.get(parent) instanceof Directory) && !copiedInto.contains(parent)) {
          throw foldFailure(run, parent + " is not a directory this stage copied");
        }
        put(entries, path, new Symlink(link.target(), 0, 0, mtime));
      } else if (op instanceof FoldedRun.Chmod chmod) {
        touched(run, chmod.paths(), chmod.recursive(), entries)
            .forEach((path, entry) -> entries.put(path, withMode(entry, chmod)));
      } else if (op instanceof FoldedRun.Chown chown) {
        touched(run, chown.paths(), chown.recursive(), entries)
            .forEach((path, entry) -> entries.put(path, withOwner(entry, chown)));
      }
    }
  }

  /** chmod -R passes symbolic links by, as chmod does. */
  private static Entry withMode(Entry entry, FoldedRun.Chmod chmod) {
    if (entry instanceof Directory d) {
      return new Directory(chmod.apply(d.mode(), true), d.uid(), d.gid(), d.mtime());
    }
    if (entry instanceof RegularFile f) {
      return new RegularFile(
          f.source(), chmod.apply(f.mode(), false), f.uid(), f.gid(), f.mtime(), f.size());
    }
    return entry;
  }

  /** chown -R changes a symbolic link itself, as chown -R does. */
  private static Entry withOwner(Entry entry, FoldedRun.Chown chown) {
    int uid = chown.uid();
    if (entry instanceof Directory d) {
      return new Directory(d.mode(), uid, chown.gid().orElse(d.gid()), d.mtime());
    }
    if (entry instanceof RegularFile f) {
      return new RegularFile(
          f.source(), f.mode(), uid, chown.gid().orElse(f.gid()), f.mtime(), f.size());
    }
    Symlink l = (Symlink) entry;
    return new Symlink(l.target(), uid, chown.gid().orElse(l.gid()), l.mtime());
  }

  /**
   * The entries a chmod or chown changes: each path (never through a link: a path that is one
   * fails, as its target may be the base's) and, with -R, everything below it.
   */
  private static java.util.Map<String, Entry> touched(
      FoldedRun run, List<String> paths, boolean recursive, TreeMap<String, Entry> entries) {
    java.util.Map<String, Entry> touched = new java.util.LinkedHashMap<>();
    for (String path : paths) {
      Entry entry = entries.get(path);
      if (entry == null || entry instanceof Symlink) {
        throw foldFailure(run, path + " is not a file or directory this stage copied");
      }
      touched.put(path, entry);
      if (recursive) {
        touched.putAll(entries.subMap(path + "/", path + "0"));
      }
    }
    return touched;
  }

  /**
   * mkdir -p: each missing directory down to {@code path}, 0755 root's, as the RUN would make,
   * below a directory the layer has or a COPY put files into; never one the base may have.
   */
  private static void makeDirectories(
      FoldedRun run,
      String path,
      TreeMap<String, Entry> entries,
      Set<String> copiedInto,
      long mtime) {
    List<String> missing = new ArrayList<>();
    String at = path;
    while (!at.equals("/") && !entries.containsKey(at) && !copiedInto.contains(at)) {
      missing.add(0, at);
      at = PosixPaths.parent(at);
    }
    if (at.equals("/") || (entries.containsKey(at) && !(entries.get(at) instanceof Directory))) {
      throw foldFailure(run, path + " is not below a directory this stage copied");
    }
    missing.forEach(dir -> entries.put(dir, new Directory(0755, 0, 0, mtime)));
  }

  private static ImagefleetException foldFailure(FoldedRun run, String problem) {
    return ImagefleetException.invalidInput(
        "Dockerfile line " + run.line() + " (" + run.text() + "): " + problem);
  }

  private long mtime(BasicFileAttributes attributes) {
    return fixedMtime.orElse(attributes.lastModifiedTime().toInstant()).getEpochSecond();
  }

  private static int mode(FileCopy copy, Path path) {
    return copy.mode().orElseGet(() -> sourceMode(path));
  }

  private static int sourceMode(Path path) {
    try {
      return (Integer) Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS) & 07777;
    } catch (IOException | UnsupportedOperationException e) {
      return Files.isDirectory(path) || Files.isExecutable(path) ? 0755 : 0644;
    }
  }

  private static int uid(FileCopy copy) {
    return copy.owner().map(FileCopy.Owner::uid).orElse(0);
  }

  private static int gid(FileCopy copy) {
    return copy.owner().map(FileCopy.Owner::gid).orElse(0);
  }

  /** The paths under {@code root} matching {@code pattern} (absolute, cleaned), sorted. */
  private static List<String> glob(Path root, String pattern, FileCopy copy) {
    List<String> matches = new ArrayList<>(List.of("/"));
    for (String segment : pattern.substring(1).split("/")) {
      if (segment.isEmpty()) {
        continue;
      }
      List<String> next = new ArrayList<>();
      boolean wildcard = segment.matches(".*[*?\\[].*");
      for (String match : matches) {
        String child = PosixPaths.resolve(match, segment);
        if (!wildcard) {
          if (Files.exists(resolveInRoot(root, child, copy), LinkOption.NOFOLLOW_LINKS)) {
            next.add(child);
          }
          continue;
        }
        PathMatcher matcher = root.getFileSystem().getPathMatcher("glob:" + segment);
        Path dir = resolveInRoot(root, match, copy);
        if (!Files.isDirectory(dir)) {
          continue;
        }
        try (Stream<Path> children = Files.list(dir)) {
          children
              .map(Path::getFileName)
              .filter(matcher::matches)
              .map(name -> PosixPaths.resolve(match, name.toString()))
              .sorted()
              .forEach(next::add);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
      matches = next;
    }
    return matches;
  }

  /** Follows symbolic links the way the container would see them: absolute ones from the root. */
  private static Path resolveInRoot(Path root, String path, FileCopy copy) {
    String resolved = "/";
    List<String> todo = new ArrayList<>(List.of(path.substring(1).split("/")));
    int hops = 0;
    while (!todo.isEmpty()) {
      String part = todo.remove(0);
      if (part.isEmpty() || part.equals(".")) {
        continue;
      }
      String candidate = PosixPaths.resolve(resolved, part);
      Path onDisk = root.resolve(candidate.substring(1));
      if (Files.isSymbolicLink(onDisk)) {
        if (++hops > 40) {
          throw failure(copy, path + " has too many levels of symbolic links");
        }
        try {
          String link = Files.readSymbolicLink(onDisk).toString();
          todo.addAll(0, List.of(link.split("/")));
          if (link.startsWith("/")) {
            resolved = "/";
          }
        } catch (IOException e) {
          throw failure(copy, "reading the link " + candidate + " failed: " + e.getMessage());
        }
      } else {
        resolved = candidate;
      }
    }
    return root.resolve(resolved.substring(1));
  }

  /** Docker's ADD unpacks a local tar archive; append copies files only, so it refuses. */
  private static void requireNotArchive(FileCopy copy, Path file) {
    byte[] head = new byte[512];
    int read;
    try (InputStream in = Files.newInputStream(file)) {
      read = in.readNBytes(head, 0, head.length);
      boolean gzip = read >= 2 && (head[0] & 0xff) == 0x1f && (head[1] & 0xff) == 0x8b;
      if (gzip) {
        try (InputStream unzipped = new GZIPInputStream(Files.newInputStream(file))) {
          read = unzipped.readNBytes(head, 0, head.length);
        } catch (IOException e) {
          read = 0;
        }
      }
      boolean compressed =
          read >= 3 && head[0] == 'B' && head[1] == 'Z' && head[2] == 'h'
              || read >= 6 && (head[0] & 0xff) == 0xfd && head[1] == '7' && head[2] == 'z';
      boolean tar =
          read >= 262
              && new String(head, 257, 5, java.nio.charset.StandardCharsets.US_ASCII)
                  .equals("ustar");
      if (tar || compressed) {
        throw failure(
            copy,
            file.getFileName()
                + " is an archive, which Docker's ADD would unpack; append doesn't unpack:"
                + " use COPY to place it as a file");
      }
    } catch (IOException e) {
      throw failure(copy, "reading " + file + " failed: " + e.getMessage());
    }
  }

  private AgentLayer write(
      TreeMap<String, Entry> entries, Path out, List<AgentLayer.ParentChain> parents)
      throws IOException {
    MessageDigest compressed = sha256();
    MessageDigest uncompressed = sha256();
    Files.createDirectories(out.toAbsolutePath().getParent());
    try (OutputStream file = new BufferedOutputStream(Files.newOutputStream(out), 1 << 16);
        OutputStream zipped =
            new GZIPOutputStream(new DigestOutputStream(file, compressed), 1 << 16);
        OutputStream tar = new DigestOutputStream(zipped, uncompressed)) {
      TarWriter writer = new TarWriter(tar);
      for (Map.Entry<String, Entry> item : entries.entrySet()) {
        String name = item.getKey().substring(1);
        Entry entry = item.getValue();
        if (entry instanceof Directory d) {
          writer.directory(name, d.mode(), d.uid(), d.gid(), d.mtime());
        } else if (entry instanceof Symlink s) {
          writer.symlink(name, s.target(), s.uid(), s.gid(), s.mtime());
        } else if (entry instanceof RegularFile f) {
          try (InputStream in = Files.newInputStream(f.source())) {
            writer.file(name, f.mode(), f.uid(), f.gid(), f.mtime(), f.size(), in);
          }
        }
      }
      writer.finish();
    }
    return new AgentLayer(
        out, "sha256:" + hex(compressed), "sha256:" + hex(uncompressed), Files.size(out), parents);
  }

  private static String where(FileCopy copy) {
    return copy.fromStage().map(s -> "stage '" + s + "'").orElse("the build context");
  }

  private static ImagefleetException failure(FileCopy copy, String problem) {
    return ImagefleetException.invalidInput(
        "Dockerfile line " + copy.line() + " (" + copy.instruction() + "): " + problem);
  }

  static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String hex(MessageDigest digest) {
    return HexFormat.of().formatHex(digest.digest());
  }
}
