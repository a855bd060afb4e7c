package io.imagefleet.mirror;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One line of {@code mirror.jsonl}: a base, where it went, and how. Lines are appended as bases
 * finish, over runs; the last line for a base is what a later run reads. {@code platform} is {@code
 * --platform}'s (comma-separated), absent when indexes were copied whole; with several, {@code
 * missing} lists those the base lacks and {@code newIndex} says the tag got a new index of the
 * others (the source's held more).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record MirrorRecord(
    @JsonProperty("base") String base,
    @JsonProperty("image") String image,
    @JsonProperty("status") String status,
    @JsonProperty("sourceDigest") String sourceDigest,
    @JsonProperty("digest") String digest,
    @JsonProperty("platform") String platform,
    @JsonProperty("missing") @JsonInclude(JsonInclude.Include.NON_EMPTY) List<String> missing,
    @JsonProperty("newIndex") @JsonInclude(JsonInclude.Include.NON_DEFAULT) boolean newIndex,
    @JsonProperty("bytes") long bytes,
    @JsonProperty("seconds") double seconds,
    @JsonProperty("error") String error) {
  public static final String MIRRORED = "mirrored";
  public static final String PRESENT = "present";
  public static final String FAILED = "failed";

  private static final ObjectMapper JSON = new ObjectMapper();

  public MirrorRecord {
    sourceDigest = sourceDigest == null ? "" : sourceDigest;
    digest = digest == null ? "" : digest;
    missing = missing == null ? List.of() : List.copyOf(missing);
  }

  /**
   * The last record of each base in {@code file}; none when there is no file. Bad lines count as
   * none.
   */
  public static Map<String, MirrorRecord> last(Path file) {
    Map<String, MirrorRecord> records = new LinkedHashMap<>();
    if (!Files.isRegularFile(file)) {
      return records;
    }
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return records;
    }
    for (String line : lines) {
      try {
        MirrorRecord record = JSON.readValue(line, MirrorRecord.class);
        if (record.base() != null && record.status() != null) {
          records.put(record.base(), record);
        }
      } catch (IOException e) {
        // a line cut short by a killed run
      }
    }
    return records;
  }

  String json() {
    try {
      return JSON.writeValueAsString(this);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
