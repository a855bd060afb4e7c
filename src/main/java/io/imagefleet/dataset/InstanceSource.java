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
    if (dataset.matches("[\\w.-]+/[\\w.-]+")) {
      return new HuggingFaceRows(hfEndpoint, Duration.ofSeconds(2)).read(dataset, "default", split);
    }
    throw ImagefleetException.invalidInput(
        "--dataset " + dataset + ": no such file, and not a Hugging Face id (OWNER/NAME)");
  }
}
