package io.imagefleet.fleet;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.imagefleet.ImagefleetException;
import io.imagefleet.LocalFailure;
import io.imagefleet.PeerFailure;
import io.imagefleet.SafeFiles;
import io.imagefleet.actions.Markdown;
import io.imagefleet.registry.Platform;
import io.imagefleet.registry.RegistryClient;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Which images of a plan the registry has: one {@code HEAD} per tag, at most {@code concurrency} at
 * a time; with platforms, the tag's manifest read too, and a tag lacking one of them is missing. It
 * never builds anything; a registry that fails a call fails the check (exit 4).
 */
public final class FleetCheck {
  /** Longest a whole check may take; each call has its own timeouts besides. */
  static final Duration LIMIT = Duration.ofMinutes(30);

  private static final int LISTED = 50;

  /** One line of check.jsonl. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Entry(
      @JsonProperty("instance") String instance,
      @JsonProperty("base") String base,
      @JsonProperty("image") String image,
      @JsonProperty("status") String status,
      @JsonProperty("digest") String digest,
      @JsonProperty("missingPlatforms") List<String> missingPlatforms) {
    public Entry(String instance, String base, String image, String status, String digest) {
      this(instance, base, image, status, digest, null);
    }

    public boolean present() {
      return status.equals("present");
    }
  }

  /** The answer for every planned image, in plan order. */
  public record Result(List<Entry> entries, Duration elapsed) {
    public Result {
      entries = List.copyOf(entries);
    }

    public List<Entry> missing() {
      return entries.stream().filter(e -> !e.present()).toList();
    }

    public int present() {
      return entries.size() - missing().size();
    }
  }

  private final RegistryClient registry;
  private final int concurrency;
  private final List<Platform> platforms;

  public FleetCheck(RegistryClient registry, int concurrency) {
    this(registry, concurrency, List.of());
  }

  /** {@code platforms}: each tag must serve every one; empty checks the tag alone. */
  public FleetCheck(RegistryClient registry, int concurrency, List<Platform> platforms) {
    this.registry = registry;
    this.concurrency = concurrency;
    this.platforms = List.copyOf(platforms);
  }

  public Result check(List<PlannedImage> plan) {
    long start = System.nanoTime();
    ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, concurrency));
    try {
      List<Future<Entry>> answers = new ArrayList<>();
      for (PlannedImage image : plan) {
        answers.add(pool.submit(() -> entry(image)));
      }
      List<Entry> entries = new ArrayList<>();
      long deadline = start + LIMIT.toNanos();
      for (Future<Entry> answer : answers) {
        entries.add(await(answer, deadline));
      }
      return new Result(entries, Duration.ofNanos(System.nanoTime() - start));
    } finally {
      pool.shutdownNow();
    }
  }

  private Entry entry(PlannedImage image) {
    if (!platforms.isEmpty()) {
      Optional<RegistryClient.Existing> existing =
          registry.platformsOf(image.image(), platforms, RegistryClient.deadline());
      boolean complete = existing.isPresent() && existing.get().missing().isEmpty();
      return new Entry(
          image.instance(),
          image.baseImage(),
          image.image().toString(),
          complete ? "present" : "missing",
          existing.map(RegistryClient.Existing::digest).orElse(null),
          existing.map(RegistryClient.Existing::missing).filter(m -> !m.isEmpty()).orElse(null));
    }
    // HEAD /v2/<name>/manifests/<tag>
    Optional<String> digest = registry.manifestDigest(image.image());
    return new Entry(
        image.instance(),
        image.baseImage(),
        image.image().toString(),
        digest.isPresent() ? "present" : "missing",
        digest.filter(d -> !d.isEmpty()).orElse(null));
  }

  private static Entry await(Future<Entry> answer, long deadline) {
    try {
      return answer.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof ImagefleetException failure) {
        throw failure;
      }
      throw new PeerFailure("checking the registry failed: " + e.getCause(), e.getCause());
    } catch (TimeoutException e) {
      throw new PeerFailure(
          "checking the registry took over " + LIMIT.toMinutes() + " min; is the registry up?");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new PeerFailure("checking the registry: interrupted");
    }
  }

  /** Writes {@code check.jsonl} (one entry a line, plan order) into {@code output}, atomically. */
  public static Path write(Path output, Result result) {
    Path file = output.resolve("check.jsonl");
    ObjectMapper json = new ObjectMapper();
    StringBuilder text = new StringBuilder();
    try {
      for (Entry entry : result.entries()) {
        text.append(json.writeValueAsString(entry)).append('\n');
      }
      SafeFiles.writeAtomically(file, text.toString().getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new LocalFailure("cannot write " + file + ": " + e.getMessage(), e);
    }
    return file;
  }

  /** The step summary: counts, then the missing images (the first 50). */
  public static String summary(Result result, String pattern) {
    List<Entry> missing = result.missing();
    StringBuilder md = new StringBuilder("### imagefleet check: ");
    md.append(missing.isEmpty() ? "every image is in the registry" : missing.size() + " missing")
        .append("\n\nImages `")
        .append(Markdown.text(pattern))
        .append("`\n\n| expected | present | missing | seconds |\n|---|---|---|---|\n| ")
        .append(result.entries().size())
        .append(" | ")
        .append(result.present())
        .append(" | ")
        .append(missing.size())
        .append(" | ")
        .append(String.format("%.1f", result.elapsed().toMillis() / 1000.0))
        .append(" |\n");
    if (!missing.isEmpty()) {
      md.append("\n| missing instance | image |\n|---|---|\n");
      missing.stream()
          .limit(LISTED)
          .forEach(
              e ->
                  md.append("| ")
                      .append(Markdown.text(e.instance()))
                      .append(" | ")
                      .append(Markdown.text(e.image()))
                      .append(" |\n"));
      if (missing.size() > LISTED) {
        md.append("\n…and ").append(missing.size() - LISTED).append(" more in check.jsonl\n");
      }
    }
    return md.toString();
  }
}
