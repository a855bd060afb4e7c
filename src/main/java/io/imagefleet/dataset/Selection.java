package io.imagefleet.dataset;

import io.imagefleet.ImagefleetException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * Narrows the instances to build: duplicates collapse (first record wins), ids and a select file
 * filter, {@code n-limit} takes a seeded sample, and {@code shard i/K} a stable slice of the sorted
 * list. The result is sorted by id.
 */
public record Selection(Set<String> ids, int nLimit, long seed, Shard shard) {

  /** Shard {@code index} (1-based) of {@code count}. */
  public record Shard(int index, int count) {
    public static final Shard ALL = new Shard(1, 1);

    public static Shard parse(String text) {
      String[] parts = text.split("/");
      try {
        if (parts.length == 2) {
          int index = Integer.parseInt(parts[0].strip());
          int count = Integer.parseInt(parts[1].strip());
          if (count >= 1 && index >= 1 && index <= count) {
            return new Shard(index, count);
          }
        }
      } catch (NumberFormatException e) {
        // falls through to the message below
      }
      throw ImagefleetException.invalidInput(
          "--shard must be i/K with 1 <= i <= K, got '" + text + "'");
    }
  }

  public List<Instance> apply(List<Instance> instances) {
    Map<String, Instance> unique = new LinkedHashMap<>();
    for (Instance instance : instances) {
      unique.putIfAbsent(instance.id(), instance);
    }
    if (!ids.isEmpty()) {
      List<String> missing = ids.stream().filter(id -> !unique.containsKey(id)).sorted().toList();
      if (!missing.isEmpty()) {
        throw ImagefleetException.invalidInput(
            "instances not in the dataset: "
                + String.join(", ", missing.subList(0, Math.min(5, missing.size())))
                + (missing.size() > 5 ? " and " + (missing.size() - 5) + " more" : "")
                + "; check --instance-ids / --select");
      }
      unique.keySet().retainAll(ids);
    }
    List<Instance> sorted = new ArrayList<>(unique.values());
    sorted.sort((a, b) -> a.id().compareTo(b.id()));
    if (nLimit > 0 && nLimit < sorted.size()) {
      List<Instance> shuffled = new ArrayList<>(sorted);
      Collections.shuffle(shuffled, new Random(seed));
      sorted = new ArrayList<>(shuffled.subList(0, nLimit));
      sorted.sort((a, b) -> a.id().compareTo(b.id()));
    }
    List<Instance> slice = new ArrayList<>();
    for (int i = 0; i < sorted.size(); i++) {
      if (i % shard.count() == shard.index() - 1) {
        slice.add(sorted.get(i));
      }
    }
    return slice;
  }
}
