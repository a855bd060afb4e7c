package io.imagefleet.workflow;

import io.imagefleet.ImagefleetException;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Third-party actions resolved to full commit SHAs. Templates name an action by version ({@code
 * actions/checkout@v4.2.2}); generated workflows carry the SHA, with the version as a comment.
 */
final class ActionPins {
  private static final Pattern FULL_SHA = Pattern.compile("[0-9a-f]{40}");

  /** action@version → commit SHA of that release. */
  private static final Map<String, String> PINS =
      Map.of(
          "actions/checkout@v4.2.2", "11bd71901bbe5b1630ceea73d27597364c9af683",
          "actions/upload-artifact@v4.6.2", "ea165f8d65b6e75b540449e92b4886f43607fa02",
          "actions/download-artifact@v4.3.0", "d3f86a106a0bac45b974a628896c90dbdf5c8093",
          "docker/login-action@v3.4.0", "74a5d142397b4f367a81961eba4e8cd7edddf772");

  private ActionPins() {}

  /**
   * The pinned form of a third-party {@code uses:} value. A value already pinned to a full SHA is
   * kept; a version this table does not know is rejected, naming where it was used.
   */
  static String pin(String uses, String where) {
    int at = uses.lastIndexOf('@');
    if (uses.startsWith("./") || uses.startsWith("docker://") || at < 0) {
      return uses;
    }
    if (FULL_SHA.matcher(uses.substring(at + 1)).matches()) {
      return uses;
    }
    String sha = PINS.get(uses);
    if (sha == null) {
      throw ImagefleetException.invalidInput(
          where
              + ": '"
              + uses
              + "' is not pinned to a full commit SHA and imagefleet has no pin for it; write"
              + " it as "
              + uses.substring(0, at)
              + "@<40-hex-sha>, or use one of "
              + String.join(", ", new java.util.TreeSet<>(PINS.keySet())));
    }
    return uses.substring(0, at + 1) + sha;
  }

  /** The version a pinned reference stands for, for the comment after it. */
  static Optional<String> versionOf(String pinnedUses) {
    int at = pinnedUses.lastIndexOf('@');
    if (at < 0) {
      return Optional.empty();
    }
    String action = pinnedUses.substring(0, at);
    String sha = pinnedUses.substring(at + 1);
    return PINS.entrySet().stream()
        .filter(e -> e.getValue().equals(sha) && e.getKey().startsWith(action + "@"))
        .map(e -> e.getKey().substring(action.length() + 1))
        .findFirst();
  }
}
