package io.imagefleet.cli;

import io.imagefleet.actions.ActionsEnvironment;
import io.imagefleet.actions.WorkflowCommands;
import io.imagefleet.registry.Credentials;
import io.imagefleet.registry.ImageReference;
import java.io.PrintWriter;

/** Registry credentials for the commands that call a registry's API: check and retain. */
final class RegistryLogin {
  private RegistryLogin() {}

  /**
   * The credentials ({@code IMAGEFLEET_REGISTRY_*} for {@code target}'s registry only), their
   * warnings printed, and on a runner the password masked first.
   */
  static Credentials credentials(ActionsEnvironment env, PrintWriter err, ImageReference target) {
    if (env.onRunner()) {
      // The runner hides the value from every later log line; elsewhere nothing prints it.
      env.variable("IMAGEFLEET_REGISTRY_PASSWORD").ifPresent(new WorkflowCommands(err)::addMask);
    }
    Credentials credentials = Credentials.load(env.variables(), target);
    credentials.warnings().forEach(w -> err.println("imagefleet: warning: " + w));
    return credentials;
  }
}
