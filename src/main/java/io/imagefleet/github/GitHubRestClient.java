package io.imagefleet.github;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.imagefleet.ImagefleetException;
import io.imagefleet.PeerFailure;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.kohsuke.github.GHCommitState;
import org.kohsuke.github.GHEvent;
import org.kohsuke.github.GHFileNotFoundException;
import org.kohsuke.github.GHIssue;
import org.kohsuke.github.GHIssueComment;
import org.kohsuke.github.GHRepository;
import org.kohsuke.github.GHWorkflow;
import org.kohsuke.github.GHWorkflowJob;
import org.kohsuke.github.GHWorkflowRun;
import org.kohsuke.github.GitHub;
import org.kohsuke.github.GitHubAbuseLimitHandler;
import org.kohsuke.github.GitHubBuilder;
import org.kohsuke.github.GitHubRateLimitHandler;
import org.kohsuke.github.HttpException;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * {@link GitHubApi} over org.kohsuke github-api; rate limits (primary and secondary) are waited
 * out.
 */
public final class GitHubRestClient implements GitHubApi {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final GitHub github;
  private final String apiUrl;
  private final String token;
  private final String tokenVariable;
  private final Map<String, GHRepository> repositories = new LinkedHashMap<>();

  private GitHubRestClient(GitHub github, String apiUrl, String token, String tokenVariable) {
    this.github = github;
    this.apiUrl = apiUrl;
    this.token = token;
    this.tokenVariable = tokenVariable;
  }

  /**
   * Whether github-api threw this: a failure of GitHub that escaped the calls here (the edge takes
   * it for the environment's, not a programming error).
   */
  public static boolean threwThis(Throwable failure) {
    return failure instanceof org.kohsuke.github.GHException || failure instanceof HttpException;
  }

  public static GitHubRestClient connect(String apiUrl, String token, String tokenVariable) {
    try {
      GitHub github =
          new GitHubBuilder()
              .withEndpoint(apiUrl)
              .withOAuthToken(token)
              .withRateLimitHandler(GitHubRateLimitHandler.WAIT)
              .withAbuseLimitHandler(GitHubAbuseLimitHandler.WAIT)
              .build();
      return new GitHubRestClient(github, apiUrl, token, tokenVariable);
    } catch (IOException e) {
      throw new PeerFailure("cannot reach GitHub at " + apiUrl + ": " + e.getMessage());
    }
  }

  @Override
  public Optional<String> resolveCommit(String repository, String ref) {
    // GET /repos/{owner}/{repo}/commits/{ref}
    try {
      return Optional.of(repo(repository).getCommit(ref).getSHA1());
    } catch (GHFileNotFoundException e) {
      return Optional.empty();
    } catch (HttpException e) {
      if (e.getResponseCode() == 422 || e.getResponseCode() == 404) {
        return Optional.empty();
      }
      throw failure("resolve " + ref + " in " + repository, e);
    } catch (IOException e) {
      throw failure("resolve " + ref + " in " + repository, e);
    }
  }

  @Override
  public void downloadTarball(String repository, String sha, Path target) {
    // GET /repos/{owner}/{repo}/tarball/{sha}
    try {
      repo(repository)
          .readTar(
              (InputStream in) -> {
                Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
                return null;
              },
              sha);
    } catch (IOException e) {
      throw failure("download the source of " + repository + "@" + sha, e);
    }
  }

  @Override
  @SuppressWarnings("unchecked")
  public Optional<Set<String>> dispatchInputs(String repository, String workflow, String ref) {
    // GET /repos/{owner}/{repo}/contents/.github/workflows/{file}?ref={ref}
    try {
      String path = workflow.contains("/") ? workflow : ".github/workflows/" + workflow;
      String text;
      try (InputStream in = repo(repository).getFileContent(path, ref).read()) {
        text = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
      }
      Object document = new Yaml(new SafeConstructor(new LoaderOptions())).load(text);
      if (!(document instanceof Map<?, ?> root)) {
        return Optional.empty();
      }
      // YAML 1.1 reads a plain `on` key as true.
      Object on = root.containsKey("on") ? root.get("on") : root.get(Boolean.TRUE);
      if (!(on instanceof Map<?, ?> events) || !events.containsKey("workflow_dispatch")) {
        return Optional.empty();
      }
      Object dispatch = events.get("workflow_dispatch");
      Object inputs = dispatch instanceof Map<?, ?> d ? d.get("inputs") : null;
      Set<String> names = new LinkedHashSet<>();
      if (inputs instanceof Map<?, ?> m) {
        m.keySet().forEach(k -> names.add(String.valueOf(k)));
      }
      return Optional.of(names);
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  @Override
  public Set<Long> dispatchRuns(String repository, String workflow, String ref) {
    // GET /repos/{owner}/{repo}/actions/workflows/{id}/runs
    try {
      Set<Long> ids = new LinkedHashSet<>();
      for (GHWorkflowRun run : workflow(repository, workflow).listRuns().withPageSize(50)) {
        if (run.getEvent() == GHEvent.WORKFLOW_DISPATCH && ref.equals(run.getHeadBranch())) {
          ids.add(run.getId());
        }
        if (ids.size() >= 50) {
          break;
        }
      }
      return ids;
    } catch (IOException e) {
      throw failure("list the runs of " + workflow + " in " + repository, e);
    }
  }

  @Override
  public void dispatch(String repository, String workflow, String ref, Map<String, String> inputs) {
    // POST /repos/{owner}/{repo}/actions/workflows/{id}/dispatches
    try {
      workflow(repository, workflow).dispatch(ref, new LinkedHashMap<>(inputs));
    } catch (IOException e) {
      throw failure("dispatch " + workflow + " on " + ref + " in " + repository, e);
    }
  }

  @Override
  public RunState run(String repository, long id) {
    // GET /repos/{owner}/{repo}/actions/runs/{id} and …/runs/{id}/jobs
    try {
      GHWorkflowRun run = repo(repository).getWorkflowRun(id);
      List<JobState> jobs = new ArrayList<>();
      String status = lower(run.getStatus());
      if ("completed".equals(status)) {
        for (GHWorkflowJob job : run.listJobs()) {
          jobs.add(new JobState(job.getName(), lower(job.getConclusion())));
        }
      }
      return new RunState(
          id,
          run.getHtmlUrl().toString(),
          status,
          lower(run.getConclusion()),
          run.getCreatedAt().toInstant(),
          jobs);
    } catch (IOException e) {
      throw failure("read run " + id + " of " + repository, e);
    }
  }

  @Override
  public void setStatus(
      String repository,
      String sha,
      String state,
      String targetUrl,
      String description,
      String context) {
    // POST /repos/{owner}/{repo}/statuses/{sha}
    try {
      repo(repository)
          .createCommitStatus(
              sha,
              GHCommitState.valueOf(state.toUpperCase(Locale.ROOT)),
              targetUrl,
              description,
              context);
    } catch (IOException e) {
      throw failure("set the commit status on " + repository + "@" + sha, e);
    }
  }

  @Override
  public boolean upsertComment(String repository, int issueNumber, String marker, String body) {
    // GET /repos/{owner}/{repo}/issues/{n}/comments, then PATCH …/comments/{id} or POST
    // …/issues/{n}/comments
    try {
      GHIssue issue = repo(repository).getIssue(issueNumber);
      Optional<String> me = ownLogin();
      if (me.isPresent()) {
        for (GHIssueComment comment : issue.listComments()) {
          // Anyone can paste the marker into a comment; only the token's own is ours to edit.
          if (me.get().equalsIgnoreCase(comment.getUserName())
              && comment.getBody() != null
              && comment.getBody().contains(marker)) {
            comment.update(body);
            return true;
          }
        }
      }
      issue.comment(body);
      return false;
    } catch (IOException e) {
      throw failure("comment on " + repository + "#" + issueNumber, e);
    }
  }

  /**
   * The login the token acts as; empty when GitHub won't say, and then a new comment is made rather
   * than risk editing someone else's.
   */
  private Optional<String> ownLogin() {
    // GET /user: user tokens. A GitHub App installation token (GITHUB_TOKEN too) gets 403 there.
    try {
      return Optional.of(github.getMyself().getLogin());
    } catch (IOException e) {
      return viewerLogin();
    }
  }

  /** POST /graphql {@code viewer { login }}: answers {@code <app-slug>[bot]} for app tokens. */
  private Optional<String> viewerLogin() {
    // GitHub Enterprise Server serves REST under /api/v3 and GraphQL at /api/graphql.
    String base = apiUrl.replaceFirst("/+$", "");
    String endpoint =
        (base.endsWith("/api/v3") ? base.substring(0, base.length() - "/v3".length()) : base)
            + "/graphql";
    try {
      HttpRequest request =
          HttpRequest.newBuilder(URI.create(endpoint))
              .timeout(Duration.ofSeconds(30))
              .header("Authorization", "Bearer " + token)
              .header("Content-Type", "application/json")
              .POST(
                  HttpRequest.BodyPublishers.ofString("{\"query\":\"query { viewer { login } }\"}"))
              .build();
      HttpResponse<String> response =
          HttpClient.newBuilder()
              .connectTimeout(Duration.ofSeconds(10))
              .build()
              .send(request, HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() != 200) {
        return Optional.empty();
      }
      String login =
          JSON.readTree(response.body()).path("data").path("viewer").path("login").asText("");
      return login.isEmpty() ? Optional.empty() : Optional.of(login);
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    }
  }

  private GHRepository repo(String name) throws IOException {
    GHRepository repository = repositories.get(name);
    if (repository == null) {
      // GET /repos/{owner}/{repo}
      try {
        repository = github.getRepository(name);
      } catch (GHFileNotFoundException e) {
        throw ImagefleetException.invalidInput(
            "repository "
                + name
                + " not found on GitHub (or the token in "
                + tokenVariable
                + " can't see it)");
      }
      repositories.put(name, repository);
    }
    return repository;
  }

  private GHWorkflow workflow(String repository, String file) throws IOException {
    // GET /repos/{owner}/{repo}/actions/workflows/{file}
    try {
      return repo(repository).getWorkflow(file.replaceFirst("^\\.github/workflows/", ""));
    } catch (GHFileNotFoundException e) {
      throw ImagefleetException.invalidInput(
          "workflow "
              + file
              + " not found in "
              + repository
              + "; name a file under .github/workflows");
    }
  }

  private ImagefleetException failure(String action, IOException e) {
    if (e instanceof HttpException http
        && (http.getResponseCode() == 401 || http.getResponseCode() == 403)) {
      return new PeerFailure(
          action
              + " failed: GitHub answered HTTP "
              + http.getResponseCode()
              + "; check the token in "
              + tokenVariable
              + " and its permissions");
    }
    if (e instanceof GHFileNotFoundException) {
      return ImagefleetException.invalidInput(action + " failed: not found on GitHub");
    }
    return new PeerFailure(
        action + " failed: " + e.getClass().getSimpleName() + ": " + firstLine(e.getMessage()));
  }

  private static String lower(Enum<?> value) {
    return value == null ? null : value.name().toLowerCase(Locale.ROOT);
  }

  private static String firstLine(String message) {
    return message == null ? "" : message.lines().findFirst().orElse("");
  }
}
