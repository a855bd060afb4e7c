package io.imagefleet.dataset;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.imagefleet.ImagefleetException;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Reads instances from a local file: JSON Lines, a JSON array, or plain text with one id a line.
 * JSON records carry {@code instance_id} and optionally {@code base_image}.
 */
public final class DatasetReader {
  static final ObjectMapper JSON = new ObjectMapper();

  private DatasetReader() {}

  public static List<Instance> read(Path file) {
    if (!Files.isRegularFile(file)) {
      throw ImagefleetException.invalidInput(
          "--dataset "
              + file
              + ": no such file; pass a JSONL, JSON or text file, or a Hugging Face dataset id");
    }
    try {
      String first = firstNonBlank(file);
      if (first.startsWith("[")) {
        return fromArray(file);
      }
      return first.startsWith("{") ? fromJsonLines(file) : fromText(file);
    } catch (IOException e) {
      throw ImagefleetException.invalidInput(
          "--dataset " + file + ": cannot read: " + e.getMessage());
    }
  }

  /** An instance from one JSON record; {@code where} names the record in errors. */
  static Instance fromRecord(JsonNode record, String where) {
    JsonNode id = record.get("instance_id");
    if (id == null || !id.isTextual() || id.asText().isBlank()) {
      throw ImagefleetException.invalidInput(
          where + ": no \"instance_id\" string; each record needs one");
    }
    String text = id.asText().strip();
    Instance.problem(text)
        .ifPresent(
            p -> {
              throw ImagefleetException.invalidInput(
                  where + ": \"instance_id\" " + p + "; fix or remove that record");
            });
    JsonNode base = record.get("base_image");
    Optional<String> baseImage =
        base != null && base.isTextual() && !base.asText().isBlank()
            ? Optional.of(base.asText())
            : Optional.empty();
    return new Instance(text, baseImage);
  }

  private static List<Instance> fromJsonLines(Path file) throws IOException {
    List<Instance> instances = new ArrayList<>();
    try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      int number = 0;
      for (String line; (line = reader.readLine()) != null; ) {
        number++;
        if (line.isBlank()) {
          continue;
        }
        String where = "--dataset " + file + " line " + number;
        JsonNode record;
        try {
          record = JSON.readTree(line);
        } catch (JsonProcessingException e) {
          throw ImagefleetException.invalidInput(
              where + ": not valid JSON (" + e.getOriginalMessage() + "); fix or remove that line");
        }
        if (record == null || !record.isObject()) {
          throw ImagefleetException.invalidInput(where + ": expected a JSON object");
        }
        instances.add(fromRecord(record, where));
      }
    }
    return instances;
  }

  private static List<Instance> fromArray(Path file) throws IOException {
    JsonNode array;
    try {
      array = JSON.readTree(file.toFile());
    } catch (JsonProcessingException e) {
      int line = e.getLocation() == null ? 0 : e.getLocation().getLineNr();
      throw ImagefleetException.invalidInput(
          "--dataset "
              + file
              + " line "
              + line
              + ": not valid JSON ("
              + e.getOriginalMessage()
              + ")");
    }
    List<Instance> instances = new ArrayList<>();
    for (int i = 0; i < array.size(); i++) {
      JsonNode item = array.get(i);
      String where = "--dataset " + file + " item " + (i + 1);
      instances.add(
          item.isTextual() ? textId(item.asText().strip(), where) : fromRecord(item, where));
    }
    return instances;
  }

  private static List<Instance> fromText(Path file) throws IOException {
    List<Instance> instances = new ArrayList<>();
    int number = 0;
    for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
      number++;
      String id = line.strip();
      if (id.isEmpty() || id.startsWith("#")) {
        continue;
      }
      if (id.contains(" ") || id.contains("\t") || id.contains("\"")) {
        throw ImagefleetException.invalidInput(
            "--dataset "
                + file
                + " line "
                + number
                + ": '"
                + id
                + "' is not an instance id; a text dataset has one id a line");
      }
      instances.add(textId(id, "--dataset " + file + " line " + number));
    }
    return instances;
  }

  private static Instance textId(String id, String where) {
    Instance.problem(id)
        .ifPresent(
            p -> {
              throw ImagefleetException.invalidInput(
                  where + ": the instance id " + p + "; fix or remove that line");
            });
    return Instance.of(id);
  }

  private static String firstNonBlank(Path file) throws IOException {
    try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      for (String line; (line = reader.readLine()) != null; ) {
        if (!line.isBlank()) {
          return line.strip();
        }
      }
    }
    return "";
  }
}
