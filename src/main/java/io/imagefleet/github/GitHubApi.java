package io.imagefleet.github;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** The GitHub calls imagefleet makes, behind one small interface (github-api implements it). */
public interface GitHubApi {

  /** The full commit SHA a branch, tag or (short) SHA names; empty when GitHub doesn't know it. */
  Optional<String> resolveCommit(String repository, String ref);

  /** Writes the commit's source tarball (tar.gz) to {@code target}. */
  void downloadTarball(String repository, String sha, Path target);

  /** Input names the workflow file declares for workflow_dispatch; empty when it can't be read. */
  Optional<Set<String>> dispatchInputs(String repository, String workflow, String ref);

  /** Ids of the workflow's runs for {@code ref} created by workflow_dispatch. */
  Set<Long> dispatchRuns(String repository, String workflow, String ref);

  void dispatch(String repository, String workflow, String ref, Map<String, String> inputs);

  RunState run(String repository, long id);

  void setStatus(
      String repository,
      String sha,
      String state,
      String targetUrl,
      String description,
      String context);

  /** Updates the comment holding {@code marker}, or adds one; returns whether it updated. */
  boolean upsertComment(String repository, int issue, String marker, String body);

  /** A workflow run as polling sees it. */
  record RunState(
      long id,
      String url,
      String status,
      String conclusion,
      Instant createdAt,
      List<JobState> jobs) {
    public boolean completed() {
      return "completed".equals(status);
    }
  }

  record JobState(String name, String conclusion) {}
}
