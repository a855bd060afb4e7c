package io.imagefleet.github;

import io.imagefleet.PeerFailure;
import io.imagefleet.actions.WorkflowCommands;
import java.util.Map;

/** Where GitHub is and the token to reach it with; the token is masked before anything prints. */
public record GitHubAccess(String apiUrl, String tokenVariable, String token) {
  public static final String DEFAULT_API = "https://api.github.com";

  /** Reads the token from {@code tokenVariable}; a missing one exits 4 naming the variable. */
  public static GitHubAccess from(
      Map<String, String> env,
      String apiUrl,
      String tokenVariable,
      WorkflowCommands commands,
      boolean onRunner) {
    String token = env.get(tokenVariable);
    if (token == null || token.isBlank()) {
      throw new PeerFailure(
          "no GitHub token: set "
              + tokenVariable
              + (tokenVariable.equals("GITHUB_TOKEN")
                  ? " (or name another variable with --token-env)"
                  : ""));
    }
    if (onRunner) {
      commands.addMask(token);
    }
    return new GitHubAccess(apiUrl, tokenVariable, token.strip());
  }

  public GitHubApi connect() {
    return GitHubRestClient.connect(apiUrl, token, tokenVariable);
  }

  @Override
  public String toString() {
    return "GitHubAccess[" + apiUrl + ", " + tokenVariable + ", ****]";
  }
}
