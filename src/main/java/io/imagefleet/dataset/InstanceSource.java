package io.imagefleet.dataset;

import io.imagefleet.ImagefleetException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Where the instances of a build come from (a file, else a Hugging Face dataset) and which of them
 * to build (ids, a select file, a seeded sample, a shard).
 */
public record InstanceSource(
    String dataset,
    String split,
    String hfEndpoint,
    List<String> instanceIds,
    Optional<Path> select,
    int nLimit,
    long seed,
    String shard) {

  public InstanceSource {
    instanceIds = List.copyOf(instanceIds);
  }

  /** The selected instances, sorted by id; exit 2 when none are left. */
  public List<Instance> instances() {
    List<Instance> instances = selection().apply(read());
    if (instances.isEmpty()) {
      throw ImagefleetException.invalidInput(
          "no instances selected from --dataset "
              + dataset
              + "; check --instance-ids, --select and --shard");
    }
    return instances;
  }

  private Selection selection() {
    Set<String> ids = new LinkedHashSet<>();
    instanceIds.stream().map(String::strip).filter(s -> !s.isEmpty()).forEach(ids::add);
    select.ifPresent(file -> ids.addAll(selectFile(file)));
    return new Selection(ids, nLimit, seed, Selection.Shard.parse(shard));
  }

  private static List<String> selectFile(Path file) {
    try {
      return Files.readAllLines(file).stream()
          .map(String::strip)
          .filter(s -> !s.isEmpty() && !s.startsWith("#"))
          .toList();
    } catch (IOException e) {
      throw ImagefleetException.invalidInput(
          "--select " + file + ": cannot read: " + e.getMessage());
    }
  }

  private List<Instance> read() {
    Path file = Path.of(dataset);
    if (Files.exists(file)) {
      return DatasetReader.read(file);
    }
    if (looksLikePath(dataset)) {
      throw ImagefleetException.invalidInput(
          "--dataset "
              + dataset
              + ": no such file; check the path (relative paths start at "
              + Path.of("").toAbsolutePath()
              + ")");
    }
    if (dataset.matches("[\\w.-]+/[\\w.-]+")) {
      return new HuggingFaceRows(hfEndpoint, Duration.ofSeconds(2)).read(dataset, "default", split);
    }
    throw ImagefleetException.invalidInput(
        "--dataset " + dataset + ": no such file, and not a Hugging Face id (OWNER/NAME)");
  }

  /**
   * A missing file must not become a minute of Hugging Face retries: a value that reads as a path
   * is one, and only a bare OWNER/NAME goes to the datasets server.
   */
  static boolean looksLikePath(String dataset) {
    if (dataset.startsWith(".") || dataset.startsWith("/")) {
      return true;
    }
    if (dataset.endsWith(".json") || dataset.endsWith(".jsonl") || dataset.endsWith(".txt")) {
      return true;
    }
    int slash = dataset.lastIndexOf('/');
    return slash > 0 && Files.isDirectory(Path.of(dataset.substring(0, slash)));
  }
}
