package io.imagefleet.fleet;

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

  static ManifestRecord built(PlannedImage image, String digest, int attempts, double seconds) {
    return new ManifestRecord(
        image.instance(),
        image.baseImage(),
        tags(image),
        digest,
        Status.BUILT,
        attempts,
        seconds,
        null);
  }

  static ManifestRecord skipped(PlannedImage image, String digest, double seconds) {
    return new ManifestRecord(
        image.instance(), image.baseImage(), tags(image), digest, Status.SKIPPED, 0, seconds, null);
  }

  static ManifestRecord failed(PlannedImage image, int attempts, double seconds, String error) {
    return new ManifestRecord(
        image.instance(),
        image.baseImage(),
        tags(image),
        null,
        Status.FAILED,
        attempts,
        seconds,
        error);
  }

  private static List<String> tags(PlannedImage image) {
    return List.of(image.image().toString());
  }

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
