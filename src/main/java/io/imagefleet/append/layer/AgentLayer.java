package io.imagefleet.append.layer;

import java.nio.file.Path;
import java.util.List;

/**
 * The layer append adds to every image: a gzip-compressed tar on local disk, its {@code digest}
 * (sha256 of the compressed bytes, what the registry stores), {@code diffId} (sha256 of the tar,
 * what the config lists) and compressed {@code size}; and the directories each copy goes through,
 * which the layer leaves to the base ({@link OwnedParents}).
 */
public record AgentLayer(
    Path file, String digest, String diffId, long size, List<ParentChain> parents) {
  public AgentLayer {
    parents = List.copyOf(parents);
  }

  /**
   * The directories on the way to one copied source, top down, that Docker's builder creates when
   * the base lacks them, owned {@code uid:gid} (0:0 unless a file is copied with --chown).
   */
  public record ParentChain(List<String> directories, int uid, int gid) {
    public ParentChain {
      directories = List.copyOf(directories);
    }

    boolean owned() {
      return uid != 0 || gid != 0;
    }
  }
}
