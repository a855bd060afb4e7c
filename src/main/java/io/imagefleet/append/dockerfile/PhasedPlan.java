package io.imagefleet.append.dockerfile;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What {@code --builder phased} makes of a Dockerfile whose built stage runs commands on the base:
 * the stage (reached from {@code FROM ${BASE_IMAGE}}, maybe through other stages) is split after
 * its last instruction a registry can't assemble. The head is an <em>env image</em> per base, built
 * by the daemon once and reused while its inputs stay the same; the tail is appended on top of it
 * in the registry, as {@code --builder append} does. Both halves are Dockerfiles of their own that
 * keep every instruction on its original line, so messages name the user's lines.
 */
public final class PhasedPlan {
  private final String head;
  private final AppendPlan tail;
  private final int splitLine;
  private final List<Dockerfile.Instruction> headInstructions;
  private final Optional<Dockerfile.Instruction> perCommit;
  private final char escape;

  private PhasedPlan(
      String head,
      AppendPlan tail,
      int splitLine,
      List<Dockerfile.Instruction> headInstructions,
      Optional<Dockerfile.Instruction> perCommit,
      char escape) {
    this.escape = escape;
    this.head = head;
    this.tail = tail;
    this.splitLine = splitLine;
    this.headInstructions = List.copyOf(headInstructions);
    this.perCommit = perCommit;
  }

  /**
   * Splits the Dockerfile. {@code buildArgs} and {@code target} as for {@link AppendPlan#parse}.
   *
   * @throws NotAppendable naming the line when no split leaves something to append, or the built
   *     stage doesn't reach {@code ${BASE_IMAGE}}
   */
  public static PhasedPlan split(
      String dockerfileText, Optional<String> target, Map<String, String> buildArgs) {
    Dockerfile dockerfile = AppendPlan.read(dockerfileText);
    List<Dockerfile.Instruction> all = dockerfile.instructions();
    int firstFrom = 0;
    while (firstFrom < all.size() && !all.get(firstFrom).keyword().equals("FROM")) {
      firstFrom++;
    }
    List<Dockerfile.Instruction> globals = all.subList(0, firstFrom);
    List<Stage> stages = Stage.split(all.subList(firstFrom, all.size()), dockerfile.escape());
    int built = AppendPlan.builtStage(stages, target);
    List<Integer> chain = chain(stages, built);
    Stage stage = stages.get(built);
    List<Dockerfile.Instruction> body =
        stage.instructions().subList(1, stage.instructions().size());
    int split = lastUnappendable(body);
    if (body.isEmpty() || (split < 0 && chain.size() == 1)) {
      throw NotAppendable.at(
          stage.instructions().get(0),
          "this stage needs no env image (nothing runs on the base); --builder append or auto"
              + " assembles it in the registry");
    }
    while (true) {
      if (split == body.size() - 1) {
        throw NotAppendable.at(
            body.get(split),
            "phased needs instructions after this line that append can add (COPY, ADD of local"
                + " files, ENV, LABEL, WORKDIR, USER, ENTRYPOINT, CMD, EXPOSE, ARG, SHELL,"
                + " STOPSIGNAL)");
      }
      String tailText =
          tailDockerfile(dockerfileText, dockerfile, globals, stages, chain, built, split);
      try {
        AppendPlan tail = AppendPlan.parse(tailText, Optional.empty(), buildArgs);
        List<Dockerfile.Instruction> head =
            headInstructions(
                globals, stages, needed(stages, chain, built, split + 2), built, split);
        return new PhasedPlan(
            headDockerfile(dockerfileText, dockerfile, head),
            tail,
            (split < 0 ? stage.instructions().get(0) : body.get(split)).line(),
            head,
            perCommit(head, dockerfile.escape()),
            dockerfile.escape());
      } catch (NotAppendable e) {
        int bad = lineIndex(body, e.line().orElse(-1));
        if (bad <= split) {
          throw e;
        }
        split = bad; // that line goes to the head too; try the shorter tail
      }
    }
  }

  /** The Dockerfile of the env image: everything but the tail, each line where it was. */
  public String headDockerfile() {
    return head;
  }

  /** The plan of the appended tail, as {@link AppendPlan} reads it. */
  public AppendPlan tail() {
    return tail;
  }

  /** The Dockerfile line of the last instruction that goes into the env image. */
  public int splitLine() {
    return splitLine;
  }

  /**
   * The head's first line that uses {@code SDIST} or {@code SDK_COMMIT} (or copies from a stage
   * that does): the env image then changes with every SDK commit.
   */
  public Optional<String> perCommitUse() {
    return perCommit.map(i -> "line " + i.line() + " (" + NotAppendable.shown(i.text()) + ")");
  }

  /** The build args the env image's instructions name: only these go into its key. */
  public Set<String> usedArgs() {
    Set<String> used = new java.util.TreeSet<>();
    headInstructions.forEach(i -> used.addAll(ShellWords.variables(i.text(), escape)));
    return used;
  }

  /** The env image's instructions as written, for its key. */
  public List<String> headLines() {
    return headInstructions.stream().map(Dockerfile.Instruction::text).toList();
  }

  /** The stages from the one on {@code ${BASE_IMAGE}} to {@code built}, by index, base first. */
  private static List<Integer> chain(List<Stage> stages, int built) {
    List<Integer> chain = new ArrayList<>();
    Set<Integer> seen = new HashSet<>();
    int i = built;
    while (true) {
      if (!seen.add(i)) {
        throw NotAppendable.at(stages.get(i).instructions().get(0), "stages form a cycle");
      }
      chain.add(0, i);
      String from = stages.get(i).from();
      if (from.equals("${BASE_IMAGE}") || from.equals("$BASE_IMAGE")) {
        return chain;
      }
      int parent = Stage.indexOf(stages, from);
      if (parent < 0 || parent >= i) {
        throw NotAppendable.at(
            stages.get(built).instructions().get(0),
            "the built stage must reach FROM ${BASE_IMAGE} (the instance's base image), directly"
                + " or through earlier stages");
      }
      i = parent;
    }
  }

  /** The index in {@code body} of its last instruction append can't do; -1 when there is none. */
  private static int lastUnappendable(List<Dockerfile.Instruction> body) {
    for (int i = body.size() - 1; i >= 0; i--) {
      String keyword = body.get(i).keyword();
      // A RUN of the forms append folds counts; whether its paths qualify, the tail's plan says.
      boolean appendable =
          keyword.equals("COPY")
              || keyword.equals("ADD")
              || AppendPlan.CONFIG_INSTRUCTIONS.contains(keyword)
              || FoldedRun.parse(body.get(i), Optional.of("/")).isPresent();
      if (!appendable) {
        return i;
      }
    }
    return -1;
  }

  /**
   * The tail as a Dockerfile append reads: the global ARGs, the stages it may copy from (every
   * stage before the built one that is not on its chain), {@code FROM ${BASE_IMAGE}} on the built
   * stage's FROM line, the head's ARG and WORKDIR lines of that stage (their scope reaches the
   * tail), then the tail.
   */
  private static String tailDockerfile(
      String original,
      Dockerfile dockerfile,
      List<Dockerfile.Instruction> globals,
      List<Stage> stages,
      List<Integer> chain,
      int built,
      int split) {
    Lines lines = new Lines(original);
    globals.forEach(lines::put);
    for (int i = 0; i < built; i++) {
      if (!chain.contains(i)) {
        stages.get(i).instructions().forEach(lines::put);
      }
    }
    Stage stage = stages.get(built);
    Dockerfile.Instruction from = stage.instructions().get(0);
    lines.put(
        from.line(), "FROM ${BASE_IMAGE}" + (stage.name().isEmpty() ? "" : " AS " + stage.name()));
    List<Dockerfile.Instruction> body =
        stage.instructions().subList(1, stage.instructions().size());
    for (int i = 0; i < body.size(); i++) {
      String keyword = body.get(i).keyword();
      if (i > split || keyword.equals("ARG") || keyword.equals("WORKDIR")) {
        lines.put(body.get(i));
      }
    }
    return lines.text(dockerfile.escape());
  }

  /**
   * The chain and every stage it builds on or copies from, by index; of the built stage only its
   * first {@code headSize} instructions count.
   */
  private static Set<Integer> needed(
      List<Stage> stages, List<Integer> chain, int built, int headSize) {
    Set<Integer> needed = new java.util.TreeSet<>();
    List<Integer> todo = new ArrayList<>(chain);
    while (!todo.isEmpty()) {
      int i = todo.remove(todo.size() - 1);
      if (!needed.add(i)) {
        continue;
      }
      Stage stage = stages.get(i);
      int from = Stage.indexOf(stages, stage.from());
      if (from >= 0 && from < i) {
        todo.add(from);
      }
      List<Dockerfile.Instruction> lines =
          i == built ? stage.instructions().subList(0, headSize) : stage.instructions();
      for (Dockerfile.Instruction instruction : lines) {
        String source = instruction.flags().get("from");
        int other = source == null ? -1 : Stage.indexOf(stages, source);
        if (other >= 0 && other < i) {
          todo.add(other);
        }
      }
    }
    return needed;
  }

  /**
   * The env image's instructions: the global ARGs, the stages it needs in Dockerfile order (the
   * classic builder builds every stage it is given), and the built stage up to the split.
   */
  private static List<Dockerfile.Instruction> headInstructions(
      List<Dockerfile.Instruction> globals,
      List<Stage> stages,
      Set<Integer> needed,
      int built,
      int split) {
    List<Dockerfile.Instruction> head = new ArrayList<>(globals);
    for (int i = 0; i < built; i++) {
      if (needed.contains(i)) {
        head.addAll(stages.get(i).instructions());
      }
    }
    head.addAll(stages.get(built).instructions().subList(0, split + 2));
    return head;
  }

  private static String headDockerfile(
      String original, Dockerfile dockerfile, List<Dockerfile.Instruction> head) {
    Lines lines = new Lines(original);
    head.forEach(lines::put);
    return lines.text(dockerfile.escape());
  }

  /** The env image's first instruction that names SDIST or SDK_COMMIT (ARGs aside). */
  private static Optional<Dockerfile.Instruction> perCommit(
      List<Dockerfile.Instruction> head, char escape) {
    for (Dockerfile.Instruction instruction : head) {
      if (instruction.keyword().equals("ARG")) {
        continue;
      }
      Set<String> used = ShellWords.variables(instruction.text(), escape);
      if (used.contains("SDIST") || used.contains("SDK_COMMIT")) {
        return Optional.of(instruction);
      }
    }
    return Optional.empty();
  }

  private static int lineIndex(List<Dockerfile.Instruction> body, int line) {
    for (int i = 0; i < body.size(); i++) {
      if (body.get(i).line() == line) {
        return i;
      }
    }
    return -1;
  }

  /** A Dockerfile written line by line, each instruction on the line it had; the rest blank. */
  private static final class Lines {
    private final List<String> directives = new ArrayList<>();
    private final java.util.TreeMap<Integer, String> byLine = new java.util.TreeMap<>();

    Lines(String original) {
      for (String line : original.split("\r?\n", -1)) {
        if (!Dockerfile.DIRECTIVE.matcher(line.strip()).matches()) {
          break;
        }
        directives.add(line);
      }
    }

    void put(Dockerfile.Instruction instruction) {
      put(instruction.line(), instruction.text());
    }

    void put(int line, String text) {
      byLine.put(line, text);
    }

    String text(char escape) {
      StringBuilder out = new StringBuilder();
      int next = 1;
      for (String directive : directives) {
        out.append(directive).append('\n');
        next++;
      }
      for (Map.Entry<Integer, String> entry : byLine.entrySet()) {
        for (; next < entry.getKey(); next++) {
          out.append('\n');
        }
        out.append(entry.getValue()).append('\n');
        next++;
      }
      return out.toString();
    }
  }
}
