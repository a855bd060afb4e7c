package io.imagefleet.retain;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which manifests go: every tag of the {@code keepCommits} most recent SDK commits stays (a commit
 * is as recent as its newest image's {@code created}), so does any tag younger than {@code
 * keepDays} and any tag that is neither a fleet tag ({@code <sdk7>-…}, see {@code ImageTags}) nor a
 * phased env image's ({@code env-<key12>-…}). The rest is deleted by digest, except a digest that a
 * kept tag, a kept index's children, or the base a kept image was appended to (an env image) use.
 */
public record RetentionPolicy(int keepCommits, Optional<Duration> keepYoungerThan) {
  /** The SDK commit prefix of a fleet tag. */
  static final Pattern FLEET_TAG = Pattern.compile("([0-9a-f]{7})-.+");

  /** A phased build's env image (see {@code ImageTags.envTag}). */
  static final Pattern ENV_TAG = Pattern.compile("env-[0-9a-f]{12}-.+");

  /** The decision: what is kept, what is deleted (parents before children), bytes it frees. */
  public record Plan(
      List<String> keptCommits,
      List<String> keptTags,
      Map<String, List<String>> deletedTagsByDigest,
      List<String> deletions,
      long bytesFreed) {}

  public Plan plan(Map<String, String> digestByTag, Map<String, ManifestNode> nodes, Instant now) {
    List<String> commits = commitsByRecency(digestByTag, nodes);
    List<String> keptCommits = commits.subList(0, Math.min(keepCommits, commits.size()));
    List<String> keptTags = new ArrayList<>();
    Map<String, List<String>> deletedTags = new LinkedHashMap<>();
    digestByTag.forEach(
        (tag, digest) -> {
          if (keeps(tag, nodes.get(digest), keptCommits, now)) {
            keptTags.add(tag);
          } else {
            deletedTags.computeIfAbsent(digest, d -> new ArrayList<>()).add(tag);
          }
        });
    Set<String> kept = closure(keptTags.stream().map(digestByTag::get).toList(), nodes, true);
    Set<String> doomed = closure(new ArrayList<>(deletedTags.keySet()), nodes, false);
    doomed.removeAll(kept);
    deletedTags.keySet().retainAll(doomed);
    return new Plan(
        List.copyOf(keptCommits),
        List.copyOf(keptTags),
        deletedTags,
        List.copyOf(doomed),
        bytesFreed(doomed, kept, nodes));
  }

  private boolean keeps(String tag, ManifestNode node, List<String> keptCommits, Instant now) {
    Optional<String> commit = commit(tag);
    if (commit.isEmpty() && !ENV_TAG.matcher(tag).matches()
        || commit.isPresent() && keptCommits.contains(commit.get())) {
      return true;
    }
    Optional<Instant> created = node == null ? Optional.empty() : node.created();
    return keepYoungerThan.isPresent()
        && created.isPresent()
        && created.get().isAfter(now.minus(keepYoungerThan.get()));
  }

  /** Fleet commits, newest first (ties by name, so the order is stable). */
  static List<String> commitsByRecency(
      Map<String, String> digestByTag, Map<String, ManifestNode> nodes) {
    Map<String, Instant> newest = new HashMap<>();
    digestByTag.forEach(
        (tag, digest) ->
            commit(tag)
                .ifPresent(
                    c -> {
                      Instant created =
                          Optional.ofNullable(nodes.get(digest))
                              .flatMap(ManifestNode::created)
                              .orElse(Instant.EPOCH);
                      newest.merge(c, created, (a, b) -> a.isAfter(b) ? a : b);
                    }));
    return newest.entrySet().stream()
        .sorted(
            Map.Entry.<String, Instant>comparingByValue(Comparator.reverseOrder())
                .thenComparing(Map.Entry.comparingByKey()))
        .map(Map.Entry::getKey)
        .toList();
  }

  static Optional<String> commit(String tag) {
    Matcher m = FLEET_TAG.matcher(tag);
    return m.matches() ? Optional.of(m.group(1)) : Optional.empty();
  }

  /**
   * The digests and, through indexes, every child they reach (with {@code bases}, also the base in
   * this repository an image was appended to); parents before their children.
   */
  static Set<String> closure(List<String> roots, Map<String, ManifestNode> nodes, boolean bases) {
    Set<String> reached = new LinkedHashSet<>();
    Deque<String> queue = new ArrayDeque<>(roots);
    while (!queue.isEmpty()) {
      String digest = queue.removeFirst();
      ManifestNode node = nodes.get(digest);
      if (reached.add(digest) && node != null) {
        queue.addAll(node.children());
        if (bases) {
          node.base().filter(nodes::containsKey).ifPresent(queue::add);
        }
      }
    }
    return reached;
  }

  /** Manifest bytes plus blobs no kept manifest shares: what garbage collection can reclaim. */
  static long bytesFreed(Set<String> doomed, Set<String> kept, Map<String, ManifestNode> nodes) {
    Set<String> keptBlobs = new LinkedHashSet<>();
    kept.stream()
        .map(nodes::get)
        .filter(n -> n != null)
        .forEach(n -> keptBlobs.addAll(n.blobs().keySet()));
    Map<String, Long> freed = new HashMap<>();
    long total = 0;
    for (String digest : doomed) {
      ManifestNode node = nodes.get(digest);
      if (node == null) {
        continue;
      }
      total += node.size();
      node.blobs()
          .forEach(
              (blob, size) -> {
                if (!keptBlobs.contains(blob)) {
                  freed.put(blob, size);
                }
              });
    }
    return total + freed.values().stream().mapToLong(Long::longValue).sum();
  }
}
