package io.imagefleet.append.layer;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.zip.GZIPOutputStream;

/**
 * The parent directories a {@code COPY --chown} creates. Docker's builders give the missing ones
 * the chown owner (mode 0755) and leave the base's own as they are; the agent layer is built once
 * for every base, so it can't say which are missing. Each image gets them in a small layer of its
 * own, below the agent layer, once its base's layers have been read for them ({@code
 * BaseDirectories}). Same missing directories, same layer: it crosses once per repository.
 */
public final class OwnedParents {
  /** A layer held in memory: its gzip bytes, digest and diff ID. */
  public record Layer(byte[] bytes, String digest, String diffId) {}

  private final List<AgentLayer.ParentChain> chains;
  private final Map<Set<String>, Optional<Layer>> layers =
      new java.util.concurrent.ConcurrentHashMap<>();

  public OwnedParents(AgentLayer layer) {
    this.chains = layer.parents();
  }

  /** The directories to look up in each base; empty when no COPY or ADD sets an owner. */
  public Set<String> lookups() {
    Set<String> lookups = new TreeSet<>();
    chains.stream()
        .filter(AgentLayer.ParentChain::owned)
        .forEach(c -> lookups.addAll(c.directories()));
    return lookups;
  }

  /**
   * The layer for a base that has {@code existing} of the {@link #lookups()}: the directories an
   * owned copy is the first to create, in instruction order; empty when there are none.
   */
  public Optional<Layer> layer(Set<String> existing) {
    return layers.computeIfAbsent(Set.copyOf(existing), this::build);
  }

  private Optional<Layer> build(Set<String> existing) {
    Set<String> made = new HashSet<>(existing);
    Map<String, AgentLayer.ParentChain> created = new LinkedHashMap<>();
    for (AgentLayer.ParentChain chain : chains) {
      for (String directory : chain.directories()) {
        if (made.add(directory) && chain.owned()) {
          created.put(directory, chain);
        }
      }
    }
    if (created.isEmpty()) {
      return Optional.empty();
    }
    MessageDigest compressed = LayerBuilder.sha256();
    MessageDigest uncompressed = LayerBuilder.sha256();
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (OutputStream zipped = new GZIPOutputStream(new DigestOutputStream(bytes, compressed));
        OutputStream tar = new DigestOutputStream(zipped, uncompressed)) {
      TarWriter writer = new TarWriter(tar);
      long mtime = LayerBuilder.REPRODUCIBLE_MTIME.getEpochSecond();
      for (Map.Entry<String, AgentLayer.ParentChain> entry :
          new java.util.TreeMap<>(created).entrySet()) {
        AgentLayer.ParentChain owner = entry.getValue();
        writer.directory(entry.getKey().substring(1), 0755, owner.uid(), owner.gid(), mtime);
      }
      writer.finish();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return Optional.of(
        new Layer(
            bytes.toByteArray(),
            "sha256:" + HexFormat.of().formatHex(compressed.digest()),
            "sha256:" + HexFormat.of().formatHex(uncompressed.digest())));
  }
}
