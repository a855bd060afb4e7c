package io.imagefleet.cli;

import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.MissingParameterException;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.UnmatchedArgumentException;

/** "did you mean …?" for a mistyped subcommand or option, from picocli's own suggestions. */
final class Suggestion {
  private static final int MOST = 3;

  private Suggestion() {}

  /**
   * The error to show: a missing required option next to an unknown one is most often the same
   * option mistyped (--datset), so the unknown one is named.
   */
  static ParameterException shown(ParameterException exception) {
    CommandLine command = exception.getCommandLine();
    if (exception instanceof MissingParameterException
        && !command.getUnmatchedArguments().isEmpty()) {
      UnmatchedArgumentException unknown =
          new UnmatchedArgumentException(command, command.getUnmatchedArguments());
      if (unknown.isUnknownOption()) {
        return unknown;
      }
    }
    return exception;
  }

  /** "; did you mean 'check'?" or "" when nothing is near. */
  static String of(ParameterException exception) {
    if (!(exception instanceof UnmatchedArgumentException unmatched)) {
      return "";
    }
    List<String> names = new ArrayList<>(unmatched.getSuggestions());
    if (!unmatched.isUnknownOption()) {
      // For a subcommand picocli ranks every name by similarity: only the nearest is a suggestion.
      names = names.isEmpty() ? names : names.subList(0, 1);
    } else if (names.isEmpty()) {
      names = nearOptions(unmatched);
    }
    if (names.isEmpty()) {
      return "";
    }
    List<String> quoted =
        names.subList(0, Math.min(MOST, names.size())).stream().map(n -> "'" + n + "'").toList();
    return "; did you mean " + String.join(" or ", quoted) + "?";
  }

  /**
   * picocli suggests options sharing the first two letters; a swap there (--wrokers) finds none, so
   * fall back to the options one or two edits away.
   */
  private static List<String> nearOptions(UnmatchedArgumentException unmatched) {
    String typed = unmatched.getUnmatched().get(0).split("=", 2)[0];
    List<String> near = new ArrayList<>();
    for (CommandLine.Model.OptionSpec option :
        unmatched.getCommandLine().getCommandSpec().options()) {
      if (option.hidden()) {
        continue;
      }
      for (String name : option.names()) {
        if (name.startsWith("--") && distance(typed, name) <= 2) {
          near.add(name);
        }
      }
    }
    return near;
  }

  /** Edit distance with adjacent swaps counted as one edit. */
  static int distance(String a, String b) {
    int[][] d = new int[a.length() + 1][b.length() + 1];
    for (int i = 0; i <= a.length(); i++) {
      d[i][0] = i;
    }
    for (int j = 0; j <= b.length(); j++) {
      d[0][j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
        if (i > 1
            && j > 1
            && a.charAt(i - 1) == b.charAt(j - 2)
            && a.charAt(i - 2) == b.charAt(j - 1)) {
          d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
        }
      }
    }
    return d[a.length()][b.length()];
  }
}
