package io.imagefleet.fleet;

import io.imagefleet.actions.ActionsEnvironment;
import io.imagefleet.github.BuildReport;
import java.util.Optional;

/**
 * Who watches a build and where its report goes: a GitHub runner (workflow commands), a person at a
 * terminal (one live progress line), and the artifact the workflow uploads the output as.
 */
public record BuildAudience(
    boolean onRunner, boolean terminal, Optional<String> artifact, Optional<String> runUrl) {

  /**
   * From the environment: a terminal when the console is one and no CI variable is set; the
   * artifact from {@code IMAGEFLEET_ARTIFACT}, which the generated workflows set.
   */
  public static BuildAudience of(ActionsEnvironment env, boolean console) {
    boolean ci = env.variable("CI").filter(v -> !v.isBlank()).isPresent() || env.onRunner();
    return new BuildAudience(
        env.onRunner(),
        console && !ci,
        env.variable("IMAGEFLEET_ARTIFACT").map(String::strip).filter(a -> !a.isEmpty()),
        BuildReport.runUrl(env.variables()));
  }

  /** Plain lines, no live line and no artifact: what tests and library callers get. */
  public static BuildAudience plain(boolean onRunner) {
    return new BuildAudience(onRunner, false, Optional.empty(), Optional.empty());
  }
}
