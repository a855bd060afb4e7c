package io.imagefleet.build;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/** One line of manifest.jsonl: the final state of one image. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ManifestRecord(
    @JsonProperty("instance") String instance,
    @JsonProperty("base") String base,
    @JsonProperty("tags") List<String> tags,
    @JsonProperty("digest") String digest,
    @JsonProperty("status") Status status,
    @JsonProperty("attempts") int attempts,
    @JsonProperty("seconds") double seconds,
    @JsonProperty("error") String error) {

  /** What became of an image. */
  public enum Status {
    @JsonProperty("built")
    BUILT,
    @JsonProperty("skipped")
    SKIPPED,
    @JsonProperty("failed")
    FAILED;

    public String id() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }
}
