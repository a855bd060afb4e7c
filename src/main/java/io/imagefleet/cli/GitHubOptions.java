package io.imagefleet.cli;

import io.imagefleet.actions.ActionsEnvironment;
import io.imagefleet.actions.WorkflowCommands;
import io.imagefleet.github.GitHubAccess;
import picocli.CommandLine.Option;

/** The options every command that talks to GitHub shares. */
final class GitHubOptions {
  @Option(
      names = "--token-env",
      defaultValue = "GITHUB_TOKEN",
      paramLabel = "NAME",
      description = "Variable holding the GitHub token (default: ${DEFAULT-VALUE}).")
  String tokenEnv;

  @Option(
      names = "--api-url",
      defaultValue = GitHubAccess.DEFAULT_API,
      paramLabel = "URL",
      description = "GitHub API endpoint, for GitHub Enterprise (default: ${DEFAULT-VALUE}).")
  String apiUrl;

  GitHubAccess access(ActionsEnvironment env, WorkflowCommands commands) {
    return GitHubAccess.from(env.variables(), apiUrl, tokenEnv, commands, env.onRunner());
  }
}
