package io.imagefleet.retain;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.imagefleet.ImagefleetException;
import io.imagefleet.Origin;
import io.imagefleet.PeerFailure;
import io.imagefleet.github.GitHubAccess;
import io.imagefleet.github.RunFollower;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Deletes ghcr.io manifests through GitHub's package versions (ghcr.io has no manifest DELETE): the
 * versions are listed once, page by page, each version's name being its manifest digest; a digest
 * is deleted as {@code DELETE …/versions/<id>}. Rate limits are waited out (up to 15 min a wait).
 */
public final class GitHubPackageDeleter implements ManifestDeleter {
  static final Duration LONGEST_WAIT = Duration.ofMinutes(15);

  /** GitHub's advice when it names no wait: at least a minute. */
  static final Duration DEFAULT_WAIT = Duration.ofSeconds(60);

  private static final int ATTEMPTS = 5;
  private static final Pattern NEXT = Pattern.compile("<([^>]*)>\\s*;\\s*rel=\"next\"");
  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(10))
          .build();
  private final String apiUrl;
  private final String token;
  private final String owner;
  private final String packageName;
  private final RunFollower.Sleeper sleeper;
  private Map<String, Long> versionByDigest;
  private String versionsPath;

  /** {@code repository} is the image's path on ghcr.io: {@code OWNER/PACKAGE[/MORE]}. */
  public GitHubPackageDeleter(String repository, GitHubAccess access, RunFollower.Sleeper sleeper) {
    int slash = repository.indexOf('/');
    this.owner = repository.substring(0, slash);
    this.packageName = URLEncoder.encode(repository.substring(slash + 1), StandardCharsets.UTF_8);
    this.apiUrl = access.apiUrl().replaceFirst("/+$", "");
    this.token = access.token();
    this.sleeper = sleeper;
  }

  @Override
  public synchronized void delete(String digest) {
    Long id = versions().get(digest);
    if (id == null) {
      // Already gone (or never a version of its own): nothing to delete.
      return;
    }
    // DELETE /{orgs|users}/<owner>/packages/container/<package>/versions/<id>
    HttpResponse<String> response =
        send("DELETE", URI.create(apiUrl + versionsPath + "/" + id), "delete version " + id);
    if (response.statusCode() != 204 && response.statusCode() != 404) {
      throw failure("delete package version " + id + " (" + digest + ")", response);
    }
  }

  @Override
  public String describe() {
    return "through GitHub's package versions API";
  }

  /** Digest → version id of every version, orgs first, then users (a personal account). */
  Map<String, Long> versions() {
    if (versionByDigest != null) {
      return versionByDigest;
    }
    for (String kind : new String[] {"/orgs/", "/users/"}) {
      String path = kind + owner + "/packages/container/" + packageName + "/versions";
      // GET /{orgs|users}/<owner>/packages/container/<package>/versions?per_page=100
      URI uri = URI.create(apiUrl + path + "?per_page=100");
      HttpResponse<String> first = send("GET", uri, "list package versions");
      if (first.statusCode() == 404) {
        continue;
      }
      versionsPath = path;
      versionByDigest = listFrom(first);
      return versionByDigest;
    }
    throw new PeerFailure(
        "GitHub knows no container package "
            + owner
            + "/"
            + packageName
            + " (as organization or user); check --image, and that the token may read packages");
  }

  private Map<String, Long> listFrom(HttpResponse<String> page) {
    Map<String, Long> versions = new HashMap<>();
    while (true) {
      if (page.statusCode() != 200) {
        throw failure("list the versions of package " + packageName, page);
      }
      for (JsonNode version : json(page.body())) {
        versions.put(version.path("name").asText(), version.path("id").asLong());
      }
      Optional<URI> next = next(page);
      if (next.isEmpty()) {
        return versions;
      }
      page = send("GET", next.get(), "list package versions");
    }
  }

  private Optional<URI> next(HttpResponse<?> page) {
    Matcher m = NEXT.matcher(page.headers().firstValue("Link").orElse(""));
    if (!m.find()) {
      return Optional.empty();
    }
    URI next;
    try {
      next = page.uri().resolve(m.group(1));
    } catch (IllegalArgumentException e) {
      throw new PeerFailure("GitHub sent an unusable Link header; not following it");
    }
    // The token goes with every page: to the API's own scheme, host and port only.
    Origin api = Origin.of(URI.create(apiUrl));
    if (!Origin.of(next).equals(api)) {
      throw new PeerFailure(
          "GitHub's Link header points to "
              + Origin.of(next)
              + ", not to the API at "
              + api
              + "; not following it");
    }
    return Optional.of(next);
  }

  /** Sends, waiting out primary and secondary rate limits. */
  private HttpResponse<String> send(String method, URI uri, String action) {
    for (int attempt = 1; ; attempt++) {
      HttpResponse<String> response = exchange(method, uri, action);
      Optional<Duration> wait = rateLimitWait(response, Instant.now());
      if (wait.isEmpty() || attempt == ATTEMPTS) {
        return response;
      }
      if (wait.get().compareTo(LONGEST_WAIT) > 0) {
        throw new PeerFailure(
            "GitHub's rate limit resets in "
                + wait.get().toMinutes()
                + " min; rerun retain later (it starts over from the listing)");
      }
      sleeper.sleep(wait.get());
    }
  }

  /**
   * How long GitHub asks to wait: {@code retry-after} (seconds or an HTTP date), else until {@code
   * x-ratelimit-reset}; a header that is neither waits {@link #DEFAULT_WAIT}, as GitHub advises.
   */
  static Optional<Duration> rateLimitWait(HttpResponse<?> response, Instant now) {
    int status = response.statusCode();
    if (status != 403 && status != 429) {
      return Optional.empty();
    }
    var headers = response.headers();
    Optional<String> retryAfter = headers.firstValue("retry-after");
    if (retryAfter.isPresent()) {
      return Optional.of(retryAfter(retryAfter.get().strip(), now));
    }
    if (headers.firstValue("x-ratelimit-remaining").map(r -> r.strip().equals("0")).orElse(false)) {
      return Optional.of(
          epochSeconds(headers.firstValue("x-ratelimit-reset").orElse("").strip())
              .map(reset -> atLeastASecond(Duration.between(now, reset).plusSeconds(1)))
              .orElse(DEFAULT_WAIT));
    }
    return status == 429 ? Optional.of(DEFAULT_WAIT) : Optional.empty();
  }

  private static Duration retryAfter(String value, Instant now) {
    if (value.matches("\\d{1,18}")) {
      return Duration.ofSeconds(Long.parseLong(value));
    }
    try {
      Instant date = ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
      return atLeastASecond(Duration.between(now, date));
    } catch (DateTimeParseException e) {
      return DEFAULT_WAIT;
    }
  }

  private static Optional<Instant> epochSeconds(String value) {
    return value.matches("\\d{1,18}")
        ? Optional.of(Instant.ofEpochSecond(Long.parseLong(value)))
        : Optional.empty();
  }

  private static Duration atLeastASecond(Duration wait) {
    return wait.compareTo(Duration.ofSeconds(1)) < 0 ? Duration.ofSeconds(1) : wait;
  }

  private HttpResponse<String> exchange(String method, URI uri, String action) {
    HttpRequest request =
        HttpRequest.newBuilder(uri)
            .method(method, HttpRequest.BodyPublishers.noBody())
            .header("Authorization", "Bearer " + token)
            .header("Accept", "application/vnd.github+json")
            .header("X-GitHub-Api-Version", "2022-11-28")
            .timeout(Duration.ofSeconds(30))
            .build();
    try {
      return http.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new PeerFailure(action + " on " + uri.getHost() + " failed: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new PeerFailure(action + ": interrupted");
    }
  }

  private static JsonNode json(String body) {
    try {
      return JSON.readTree(body);
    } catch (IOException e) {
      throw new PeerFailure("GitHub sent package versions that are not JSON");
    }
  }

  private static ImagefleetException failure(String action, HttpResponse<String> response) {
    int status = response.statusCode();
    return new PeerFailure(
        action
            + " failed: HTTP "
            + status
            + (status == 401 || status == 403
                ? "; the token needs read:packages and delete:packages (admin of the package)"
                : ""));
  }
}
