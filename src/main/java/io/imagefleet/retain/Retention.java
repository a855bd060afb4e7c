package io.imagefleet.retain;

import io.imagefleet.docker.Units;
import io.imagefleet.registry.RepositoryApi;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.List;

/**
 * One retention run over a repository: read it, decide with the {@link RetentionPolicy}, print what
 * goes and what it frees, and (unless a dry run) delete parents before their children.
 */
public final class Retention {
  private final RepositoryApi api;
  private final ManifestDeleter deleter;
  private final int concurrency;
  private final PrintWriter out;
  private final PrintWriter err;

  public Retention(
      RepositoryApi api,
      ManifestDeleter deleter,
      int concurrency,
      PrintWriter out,
      PrintWriter err) {
    this.api = api;
    this.deleter = deleter;
    this.concurrency = concurrency;
    this.out = out;
    this.err = err;
  }

  public RetentionPolicy.Plan run(RetentionPolicy policy, Instant now, boolean dryRun) {
    RepositoryReader.Contents contents = new RepositoryReader(api, concurrency, err).read();
    RetentionPolicy.Plan plan = policy.plan(contents.digestByTag(), contents.nodes(), now);
    String verb = dryRun ? "would delete" : "delete";
    for (String digest : plan.deletions()) {
      List<String> tags = plan.deletedTagsByDigest().getOrDefault(digest, List.of());
      out.println(
          verb + " " + digest + (tags.isEmpty() ? " (index child)" : " " + String.join(" ", tags)));
      if (!dryRun) {
        deleter.delete(digest);
      }
    }
    err.printf(
        "imagefleet: retain: %d tags, kept commits %s (%d tags), %s %d manifests, %s freed once"
            + " the registry collects garbage%s%n",
        contents.digestByTag().size(),
        plan.keptCommits().isEmpty() ? "none" : String.join(" ", plan.keptCommits()),
        plan.keptTags().size(),
        dryRun ? "would delete" : "deleted",
        plan.deletions().size(),
        Units.human(plan.bytesFreed()),
        dryRun ? " (dry run: nothing deleted)" : " (" + deleter.describe() + ")");
    return plan;
  }
}
