package io.imagefleet.fleet;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One line of manifest.jsonl: the final state of one image. {@code started} and {@code ended} are
 * ISO-8601 UTC instants of its first attempt's start and its end, {@code lane} the worker slot it
 * ran in (0-based), {@code runs} one entry per build attempt; manifests written before these fields
 * existed read with them null. {@code key} is the sha256 of what the image is made of ({@link
 * ImageKey}); records of built and retagged images carry it, older manifests read with it null.
 * {@code env} names the env image a phased build appended the image to. {@code platforms} and
 * {@code missingPlatforms} (multi-platform runs only) name the platforms in the image's index and
 * those asked for that its base lacked. {@code phases} are the image's seconds by phase ({@link
 * ImageMeter.Phase} ids; they add up to {@code seconds}), {@code bytes} its blob bytes by kind
 * ({@link ImageMeter.Bytes} ids), only the kinds its builder can count.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ManifestRecord(
    @JsonProperty("instance") String instance,
    @JsonProperty("base") String base,
    @JsonProperty("tags") List<String> tags,
    @JsonProperty("digest") String digest,
    @JsonProperty("status") Status status,
    @JsonProperty("attempts") int attempts,
    @JsonProperty("seconds") double seconds,
    @JsonProperty("error") String error,
    @JsonProperty("started") String started,
    @JsonProperty("ended") String ended,
    @JsonProperty("lane") Integer lane,
    @JsonProperty("runs") @JsonInclude(JsonInclude.Include.NON_EMPTY) List<Run> runs,
    @JsonProperty("key") String key,
    @JsonProperty("env") String env,
    @JsonProperty("platforms") List<String> platforms,
    @JsonProperty("missingPlatforms") @JsonInclude(JsonInclude.Include.NON_EMPTY)
        List<String> missingPlatforms,
    @JsonProperty("phases") @JsonInclude(JsonInclude.Include.NON_EMPTY) Map<String, Double> phases,
    @JsonProperty("bytes") @JsonInclude(JsonInclude.Include.NON_EMPTY) Map<String, Long> bytes) {

  /** A record without phases or bytes: what manifests held before images were metered. */
  public ManifestRecord(
      String instance,
      String base,
      List<String> tags,
      String digest,
      Status status,
      int attempts,
      double seconds,
      String error,
      String started,
      String ended,
      Integer lane,
      List<Run> runs,
      String key,
      String env,
      List<String> platforms,
      List<String> missingPlatforms) {
    this(
        instance,
        base,
        tags,
        digest,
        status,
        attempts,
        seconds,
        error,
        started,
        ended,
        lane,
        runs,
        key,
        env,
        platforms,
        missingPlatforms,
        null,
        null);
  }

  /** A record of one platform: what every run made before --platform took a list. */
  public ManifestRecord(
      String instance,
      String base,
      List<String> tags,
      String digest,
      Status status,
      int attempts,
      double seconds,
      String error,
      String started,
      String ended,
      Integer lane,
      List<Run> runs,
      String key,
      String env) {
    this(
        instance, base, tags, digest, status, attempts, seconds, error, started, ended, lane, runs,
        key, env, null, null);
  }

  /** A record without an env image: every builder's but phased's. */
  public ManifestRecord(
      String instance,
      String base,
      List<String> tags,
      String digest,
      Status status,
      int attempts,
      double seconds,
      String error,
      String started,
      String ended,
      Integer lane,
      List<Run> runs,
      String key) {
    this(
        instance, base, tags, digest, status, attempts, seconds, error, started, ended, lane, runs,
        key, null);
  }

  /** A record without its key: what manifests held before images were keyed. */
  public ManifestRecord(
      String instance,
      String base,
      List<String> tags,
      String digest,
      Status status,
      int attempts,
      double seconds,
      String error,
      String started,
      String ended,
      Integer lane,
      List<Run> runs) {
    this(
        instance, base, tags, digest, status, attempts, seconds, error, started, ended, lane, runs,
        null);
  }

  /** A record without timing: what manifests held before the scheduler wrote lanes and runs. */
  public ManifestRecord(
      String instance,
      String base,
      List<String> tags,
      String digest,
      Status status,
      int attempts,
      double seconds,
      String error) {
    this(instance, base, tags, digest, status, attempts, seconds, error, null, null, null, null);
  }

  /** One build attempt: when it started, how long it took, and its error when it failed. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Run(
      @JsonProperty("started") String started,
      @JsonProperty("seconds") double seconds,
      @JsonProperty("error") String error) {}

  /** This record with when and where it ran, and its attempts. */
  ManifestRecord timed(String started, String ended, int lane, List<Run> runs) {
    return new ManifestRecord(
        instance,
        base,
        tags,
        digest,
        status,
        attempts,
        seconds,
        error,
        started,
        ended,
        lane,
        List.copyOf(runs),
        key,
        env,
        platforms,
        missingPlatforms,
        phases,
        bytes);
  }

  /** This record with the image's key. */
  ManifestRecord keyed(String imageKey) {
    return new ManifestRecord(
        instance,
        base,
        tags,
        digest,
        status,
        attempts,
        seconds,
        error,
        started,
        ended,
        lane,
        runs,
        imageKey,
        env,
        platforms,
        missingPlatforms,
        phases,
        bytes);
  }

  /** This record with the env image it was appended to (phased builds). */
  ManifestRecord onEnv(String envImage) {
    return new ManifestRecord(
        instance,
        base,
        tags,
        digest,
        status,
        attempts,
        seconds,
        error,
        started,
        ended,
        lane,
        runs,
        key,
        envImage,
        platforms,
        missingPlatforms,
        phases,
        bytes);
  }

  /** This record with the platforms its index has and those its base lacked. */
  ManifestRecord onPlatforms(PlatformCoverage coverage) {
    return new ManifestRecord(
        instance,
        base,
        tags,
        digest,
        status,
        attempts,
        seconds,
        error,
        started,
        ended,
        lane,
        runs,
        key,
        env,
        coverage.platforms(),
        coverage.missing(),
        phases,
        bytes);
  }

  /** This record with where its seconds went and what its blobs cost. */
  ManifestRecord metered(Map<String, Double> phaseSeconds, Map<String, Long> blobBytes) {
    return new ManifestRecord(
        instance,
        base,
        tags,
        digest,
        status,
        attempts,
        seconds,
        error,
        started,
        ended,
        lane,
        runs,
        key,
        env,
        platforms,
        missingPlatforms,
        phaseSeconds.isEmpty() ? null : new LinkedHashMap<>(phaseSeconds),
        blobBytes.isEmpty() ? null : new LinkedHashMap<>(blobBytes));
  }

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

  /** A new tag for the manifest an earlier run built from the same inputs. */
  static ManifestRecord retagged(PlannedImage image, String digest, double seconds) {
    return new ManifestRecord(
        image.instance(),
        image.baseImage(),
        tags(image),
        digest,
        Status.RETAGGED,
        0,
        seconds,
        null);
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
    FAILED,
    @JsonProperty("retagged")
    RETAGGED;

    public String id() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }
}
