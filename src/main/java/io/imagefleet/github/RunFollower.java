package io.imagefleet.github;

import io.imagefleet.ImagefleetException;
import io.imagefleet.Incomplete;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Dispatches a workflow and follows the run it created: the run is the first workflow_dispatch run
 * on the ref that wasn't there before the dispatch; polling backs off up to four times the
 * interval.
 */
public final class RunFollower {
  private final GitHubApi github;
  private final PrintWriter out;
  private final Sleeper sleeper;

  /** Waits between polls; tests pass one that doesn't. */
  public interface Sleeper {
    void sleep(Duration duration);
  }

  public RunFollower(GitHubApi github, PrintWriter out, Sleeper sleeper) {
    this.github = github;
    this.out = out;
    this.sleeper = sleeper;
  }

  /** Checks input names against the workflow when it can be read; unknown names exit 2. */
  public void validateInputs(
      String repository, String workflow, String ref, Map<String, String> inputs) {
    Optional<Set<String>> declared = github.dispatchInputs(repository, workflow, ref);
    if (declared.isEmpty()) {
      return;
    }
    List<String> unknown =
        inputs.keySet().stream().filter(name -> !declared.get().contains(name)).sorted().toList();
    if (!unknown.isEmpty()) {
      throw ImagefleetException.invalidInput(
          "--input "
              + String.join(", ", unknown)
              + ": not an input of "
              + workflow
              + " (it declares: "
              + String.join(", ", new TreeSet<>(declared.get()))
              + ")");
    }
  }

  /** Dispatches and returns the new run, waiting up to {@code timeout} for it to appear. */
  public GitHubApi.RunState dispatch(
      String repository,
      String workflow,
      String ref,
      Map<String, String> inputs,
      Duration poll,
      Duration timeout) {
    Set<Long> before = github.dispatchRuns(repository, workflow, ref);
    github.dispatch(repository, workflow, ref, inputs);
    long deadline = System.nanoTime() + timeout.toNanos();
    Duration wait = Duration.ofMillis(Math.min(poll.toMillis(), 2000));
    while (true) {
      List<Long> fresh = new ArrayList<>(github.dispatchRuns(repository, workflow, ref));
      fresh.removeAll(before);
      if (!fresh.isEmpty()) {
        return github.run(repository, fresh.stream().min(Long::compare).get());
      }
      if (System.nanoTime() > deadline) {
        throw new Incomplete(
            "dispatched "
                + workflow
                + " on "
                + ref
                + " but no new run appeared within "
                + timeout.toSeconds()
                + " s");
      }
      sleeper.sleep(wait);
      wait = wait.multipliedBy(2).compareTo(poll) > 0 ? poll : wait.multipliedBy(2);
    }
  }

  /** Polls until the run completes or {@code timeout} passes; returns the last state seen. */
  public GitHubApi.RunState follow(
      String repository, GitHubApi.RunState started, Duration poll, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    GitHubApi.RunState state = started;
    Duration wait = poll;
    while (!state.completed()) {
      if (System.nanoTime() > deadline) {
        return state;
      }
      out.println("run " + state.id() + ": " + state.status());
      out.flush();
      sleeper.sleep(wait);
      wait =
          wait.multipliedBy(3).dividedBy(2).compareTo(poll.multipliedBy(4)) > 0
              ? poll.multipliedBy(4)
              : wait.multipliedBy(3).dividedBy(2);
      state = github.run(repository, state.id());
    }
    return state;
  }
}
