package io.imagefleet.append.dockerfile;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * What building one earlier stage reads, for a key over it: the Dockerfile lines it runs (the ARGs
 * before the first FROM, and every line of the stage and of the stages it builds on or copies from,
 * in Dockerfile order), the images outside the Dockerfile they start from or copy from (their
 * digests belong in the key), the build args those lines name, and whether they read the build
 * context. {@code uncacheable} says why no key can stand for the stage (an ADD of a URL: its
 * content is the server's), when so.
 */
public record StageInputs(
    List<String> lines,
    Set<String> images,
    Set<String> argNames,
    boolean readsContext,
    Optional<String> uncacheable) {
  public StageInputs {
    lines = List.copyOf(lines);
    images = Set.copyOf(new TreeSet<>(images));
    argNames = Set.copyOf(new TreeSet<>(argNames));
  }

  /**
   * The inputs of {@code stages.get(index)}, with {@code globals} the ARGs before the first FROM.
   */
  static StageInputs of(
      List<Stage> stages,
      int index,
      List<Dockerfile.Instruction> globalLines,
      char escape,
      Map<String, Optional<String>> globals) {
    Set<Integer> closure = closure(stages, index);
    List<String> lines = new ArrayList<>();
    lines.add("escape " + escape);
    globalLines.forEach(line -> lines.add(line.text()));
    Set<String> images = new LinkedHashSet<>();
    boolean readsContext = false;
    Optional<String> uncacheable = Optional.empty();
    for (int i : closure) {
      Stage stage = stages.get(i);
      external(stages, stage.from(), escape, globals).ifPresent(images::add);
      for (Dockerfile.Instruction instruction : stage.instructions()) {
        lines.add(instruction.text());
        String keyword = instruction.keyword();
        String from = instruction.flags().get("from");
        if ((keyword.equals("COPY") || keyword.equals("ADD")) && from == null) {
          readsContext = true;
        }
        if (from != null) {
          external(stages, from, escape, globals).ifPresent(images::add);
        }
        if (instruction.flags().containsKey("mount")) {
          readsContext = true; // a bind mount may read the context; the key then covers it all
        }
        if (keyword.equals("ADD") && from == null && addsRemote(instruction, escape)) {
          uncacheable =
              Optional.of(
                  "line " + instruction.line() + " ADDs a URL, whose content is the server's");
        }
      }
    }
    Set<String> names = new LinkedHashSet<>();
    for (String line : lines) {
      names.addAll(namedVariables(line));
    }
    // A declared ARG reaches every RUN after it as a variable, named or not.
    globalLines.forEach(line -> names.addAll(declared(line, escape)));
    for (int i : closure) {
      stages.get(i).instructions().forEach(line -> names.addAll(declared(line, escape)));
    }
    return new StageInputs(lines, images, names, readsContext, uncacheable);
  }

  /** The stage and every stage it starts from or copies from, transitively, in Dockerfile order. */
  private static Set<Integer> closure(List<Stage> stages, int index) {
    Set<Integer> seen = new TreeSet<>();
    List<Integer> todo = new ArrayList<>(List.of(index));
    while (!todo.isEmpty()) {
      int i = todo.remove(todo.size() - 1);
      if (!seen.add(i)) {
        continue;
      }
      Stage stage = stages.get(i);
      earlier(stages, stage.from(), i).ifPresent(todo::add);
      for (Dockerfile.Instruction instruction : stage.instructions()) {
        String from = instruction.flags().get("from");
        if (from != null) {
          earlier(stages, from, i).ifPresent(todo::add);
        }
        String mount = instruction.flags().get("mount");
        if (mount != null) {
          for (String option : mount.split(",")) {
            if (option.startsWith("from=")) {
              earlier(stages, option.substring(5), i).ifPresent(todo::add);
            }
          }
        }
      }
    }
    return seen;
  }

  /** The earlier stage {@code name} refers to (by name or index), if it is one. */
  private static Optional<Integer> earlier(List<Stage> stages, String name, int before) {
    int at = Stage.indexOf(stages, name);
    if (at < 0 && name.matches("\\d+")) {
      at = Integer.parseInt(name);
    }
    return at >= 0 && at < before ? Optional.of(at) : Optional.empty();
  }

  /** The image {@code reference} names when it is no stage (nor scratch), variables expanded. */
  private static Optional<String> external(
      List<Stage> stages, String reference, char escape, Map<String, Optional<String>> globals) {
    if (Stage.indexOf(stages, reference) >= 0 || reference.matches("\\d+")) {
      return Optional.empty();
    }
    String image =
        ShellWords.expand(reference, escape, name -> globals.getOrDefault(name, Optional.empty()));
    return image.equalsIgnoreCase("scratch") || image.isEmpty()
        ? Optional.empty()
        : Optional.of(image);
  }

  private static boolean addsRemote(Dockerfile.Instruction instruction, char escape) {
    List<String> words =
        instruction.json().orElseGet(() -> ShellWords.split(instruction.arguments(), escape));
    return words.stream().limit(Math.max(0, words.size() - 1)).anyMatch(w -> w.contains("://"))
        || words.stream().anyMatch(w -> w.startsWith("git@"));
  }

  private static Set<String> declared(Dockerfile.Instruction instruction, char escape) {
    Set<String> names = new HashSet<>();
    if (instruction.keyword().equals("ARG")) {
      for (String word : ShellWords.split(instruction.arguments(), escape)) {
        int eq = word.indexOf('=');
        names.add(eq < 0 ? word : word.substring(0, eq));
      }
    }
    return names;
  }

  /** The names a line writes as {@code $NAME} or {@code ${NAME...}}. */
  private static Set<String> namedVariables(String line) {
    Set<String> names = new HashSet<>();
    java.util.regex.Matcher m =
        java.util.regex.Pattern.compile("\\$\\{?([A-Za-z_][A-Za-z0-9_]*)").matcher(line);
    while (m.find()) {
      names.add(m.group(1));
    }
    return names;
  }
}
