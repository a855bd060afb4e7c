package io.imagefleet.append.dockerfile;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A {@code RUN} whose whole effect on files is known in advance, so it can be folded into the
 * appended layer instead of run on each base: commands joined by {@code &&}, each one of {@code
 * chmod [-R] MODE PATH…} (octal, or {@code [ugoa]*[+-=][rwx]+}), {@code chown [-R] UID[:GID] PATH…}
 * (numeric), {@code mkdir -p PATH…} and {@code ln -s[f] TARGET PATH}. Anything else — another
 * command, a flag, a variable, a glob, a quote, a redirection — is not folded.
 */
public record FoldedRun(int line, String text, List<FoldedRun.Op> ops) {
  private static final Pattern OCTAL = Pattern.compile("[0-7]{3,4}");
  private static final Pattern SYMBOLIC = Pattern.compile("[ugoa]*[-+=][rwx]+");
  private static final Pattern NUMERIC_OWNER = Pattern.compile("([0-9]+)(?::([0-9]+))?");
  private static final Pattern PLAIN_PATH = Pattern.compile("[A-Za-z0-9_./@+,:=-]+");

  /** One command's effect on the layer's entries. */
  public sealed interface Op permits Chmod, Chown, Mkdir, Symlink {
    /** The paths it changes or creates, absolute and clean. */
    List<String> paths();
  }

  /** {@code mode}: octal, or symbolic (who, +/-/=, rwx). */
  public record Chmod(String mode, boolean recursive, List<String> paths) implements Op {
    public int apply(int current, boolean directory) {
      if (OCTAL.matcher(mode).matches()) {
        return Integer.parseInt(mode, 8);
      }
      int at = Math.max(mode.indexOf('+'), Math.max(mode.indexOf('-'), mode.indexOf('=')));
      String who = mode.substring(0, at).isEmpty() ? "a" : mode.substring(0, at);
      char how = mode.charAt(at);
      int bits = 0;
      for (char c : mode.substring(at + 1).toCharArray()) {
        bits |= c == 'r' ? 4 : c == 'w' ? 2 : 1;
      }
      int mask = 0;
      for (char c : who.toCharArray()) {
        mask |=
            switch (c) {
              case 'u' -> bits << 6;
              case 'g' -> bits << 3;
              case 'o' -> bits;
              default -> (bits << 6) | (bits << 3) | bits;
            };
      }
      int clearFor = 0;
      for (char c : who.toCharArray()) {
        clearFor |=
            switch (c) {
              case 'u' -> 0700;
              case 'g' -> 0070;
              case 'o' -> 0007;
              default -> 0777;
            };
      }
      return switch (how) {
        case '+' -> current | mask;
        case '-' -> current & ~mask;
        default -> (current & ~clearFor) | mask;
      };
    }
  }

  public record Chown(int uid, Optional<Integer> gid, boolean recursive, List<String> paths)
      implements Op {}

  public record Mkdir(List<String> paths) implements Op {}

  /** {@code ln -s target path}; {@code force} replaces what is at path. */
  public record Symlink(String target, String path, boolean force) implements Op {
    @Override
    public List<String> paths() {
      return List.of(path);
    }
  }

  public FoldedRun {
    ops = List.copyOf(ops);
  }

  /** The RUN as folded operations; empty when any part of it is not one of the known forms. */
  static Optional<FoldedRun> parse(Dockerfile.Instruction run, Optional<String> workdir) {
    if (!run.keyword().equals("RUN") || run.json().isPresent() || !run.flags().isEmpty()) {
      return Optional.empty();
    }
    List<Op> ops = new ArrayList<>();
    for (String command : run.arguments().split("&&", -1)) {
      List<String> words = List.of(command.strip().split("\\s+"));
      if (command.isBlank() || !words.stream().allMatch(w -> PLAIN_PATH.matcher(w).matches())) {
        return Optional.empty();
      }
      Optional<Op> op = op(words, workdir);
      if (op.isEmpty()) {
        return Optional.empty();
      }
      ops.add(op.get());
    }
    return Optional.of(new FoldedRun(run.line(), run.text(), ops));
  }

  private static Optional<Op> op(List<String> words, Optional<String> workdir) {
    List<String> args = new ArrayList<>(words.subList(1, words.size()));
    boolean recursive = !args.isEmpty() && args.get(0).equals("-R");
    switch (words.get(0)) {
      case "chmod" -> {
        if (recursive) {
          args.remove(0);
        }
        if (args.size() < 2
            || !(OCTAL.matcher(args.get(0)).matches() || SYMBOLIC.matcher(args.get(0)).matches())) {
          return Optional.empty();
        }
        return paths(args.subList(1, args.size()), workdir)
            .map(p -> new Chmod(args.get(0), recursive, p));
      }
      case "chown" -> {
        if (recursive) {
          args.remove(0);
        }
        var owner = args.isEmpty() ? null : NUMERIC_OWNER.matcher(args.get(0));
        if (owner == null || !owner.matches() || args.size() < 2) {
          return Optional.empty();
        }
        int uid = Integer.parseInt(owner.group(1));
        Optional<Integer> gid = Optional.ofNullable(owner.group(2)).map(Integer::parseInt);
        return paths(args.subList(1, args.size()), workdir)
            .map(p -> new Chown(uid, gid, recursive, p));
      }
      case "mkdir" -> {
        if (args.size() < 2 || !args.get(0).equals("-p")) {
          return Optional.empty();
        }
        return paths(args.subList(1, args.size()), workdir).map(Mkdir::new);
      }
      case "ln" -> {
        boolean force = args.contains("-sf") || args.contains("-fs") || args.contains("-f");
        args.removeIf(a -> List.of("-s", "-sf", "-fs", "-f").contains(a));
        boolean symbolic = words.contains("-s") || words.contains("-sf") || words.contains("-fs");
        if (!symbolic || args.size() != 2 || args.get(0).startsWith("-")) {
          return Optional.empty();
        }
        return paths(List.of(args.get(1)), workdir)
            .map(p -> new Symlink(args.get(0), p.get(0), force));
      }
      default -> {
        return Optional.empty();
      }
    }
  }

  /** Absolute, clean paths; a relative one only against a known WORKDIR. */
  private static Optional<List<String>> paths(List<String> words, Optional<String> workdir) {
    List<String> paths = new ArrayList<>();
    for (String word : words) {
      if (word.startsWith("-")) {
        return Optional.empty();
      }
      if (word.startsWith("/")) {
        paths.add(PosixPaths.clean(word));
      } else if (workdir.isPresent()) {
        paths.add(PosixPaths.resolve(workdir.get(), word));
      } else {
        return Optional.empty();
      }
    }
    return Optional.of(paths);
  }
}
