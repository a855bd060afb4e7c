package io.imagefleet.append.dockerfile;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * What {@code --builder append} makes of a Dockerfile: the stage it appends (the target, else the
 * last), which must be {@code FROM ${BASE_IMAGE}} followed only by instructions that add files or
 * config; the copies that make its one layer; and the earlier stages those copies read, which are
 * built once per run by the daemon. Everything the layer holds is decided here, once per run, so it
 * can't depend on a base image: {@code BASE_IMAGE} and variables only a base could define are
 * rejected in COPY and ADD, and so are relative destinations without a WORKDIR.
 */
public final class AppendPlan {
  static final Set<String> CONFIG_INSTRUCTIONS =
      Set.of(
          "ENV",
          "LABEL",
          "WORKDIR",
          "USER",
          "ENTRYPOINT",
          "CMD",
          "EXPOSE",
          "ARG",
          "SHELL",
          "STOPSIGNAL");

  private final String text;
  private final Dockerfile dockerfile;
  private final List<Dockerfile.Instruction> stage;
  private final Map<String, Optional<String>> globalArgs;
  private final Map<String, String> buildArgs;
  private final List<FileCopy> copies;
  private final List<FoldedRun> folded;
  private final List<Object> steps;
  private final Map<String, List<String>> stageSources;
  private final Map<String, StageInputs> stageInputs;

  private AppendPlan(
      String text,
      Dockerfile dockerfile,
      List<Dockerfile.Instruction> stage,
      Map<String, Optional<String>> globalArgs,
      Map<String, String> buildArgs,
      List<Object> steps,
      Map<String, List<String>> stageSources,
      Map<String, StageInputs> stageInputs) {
    this.text = text;
    this.dockerfile = dockerfile;
    this.stage = List.copyOf(stage);
    this.globalArgs = globalArgs;
    this.buildArgs = buildArgs;
    this.steps = List.copyOf(steps);
    this.copies =
        steps.stream().filter(FileCopy.class::isInstance).map(FileCopy.class::cast).toList();
    this.folded =
        steps.stream().filter(FoldedRun.class::isInstance).map(FoldedRun.class::cast).toList();
    this.stageSources = stageSources;
    this.stageInputs = stageInputs;
  }

  /**
   * Reads a Dockerfile for append. {@code buildArgs} are the run's: SDIST, SDK_COMMIT and the
   * user's; a BASE_IMAGE in them is ignored (it differs per image and is given to {@code
   * ConfigEditor}). {@code target} picks the stage like {@code --target}; empty means the last.
   *
   * @throws NotAppendable naming the line when the Dockerfile needs a daemon for every image
   */
  public static AppendPlan parse(
      String dockerfileText, Optional<String> target, Map<String, String> buildArgs) {
    Dockerfile dockerfile = read(dockerfileText);
    Map<String, String> args = new LinkedHashMap<>(buildArgs);
    args.remove("BASE_IMAGE");
    Map<String, Optional<String>> globals = new LinkedHashMap<>();
    List<Dockerfile.Instruction> all = dockerfile.instructions();
    int firstFrom = declareGlobals(all, dockerfile.escape(), args, globals);
    List<Stage> stages = Stage.split(all.subList(firstFrom, all.size()), dockerfile.escape());
    int last = appendedStage(stages, target);
    List<Dockerfile.Instruction> body =
        stages.get(last).instructions().subList(1, stages.get(last).instructions().size());
    LayerScope scope = new LayerScope(dockerfile.escape(), args, globals);
    List<Object> steps = steps(body, scope, stages.subList(0, last));
    List<FileCopy> copies =
        steps.stream().filter(FileCopy.class::isInstance).map(FileCopy.class::cast).toList();
    Map<String, List<String>> sources = stageSources(copies, stages);
    Map<String, StageInputs> inputs = new LinkedHashMap<>();
    for (String name : sources.keySet()) {
      inputs.put(
          name,
          StageInputs.of(
              stages,
              Stage.indexOf(stages, name),
              all.subList(0, firstFrom),
              dockerfile.escape(),
              globals));
    }
    return new AppendPlan(
        dockerfileText,
        dockerfile,
        body,
        globals,
        Map.copyOf(args),
        steps,
        sources,
        Collections.unmodifiableMap(inputs));
  }

  static Dockerfile read(String text) {
    try {
      return Dockerfile.parse(text);
    } catch (IllegalArgumentException e) {
      throw new NotAppendable("Dockerfile " + e.getMessage());
    }
  }

  /** Declares the ARGs before the first FROM; returns the index of that FROM. */
  private static int declareGlobals(
      List<Dockerfile.Instruction> all,
      char escape,
      Map<String, String> args,
      Map<String, Optional<String>> globals) {
    int i = 0;
    for (; i < all.size() && !all.get(i).keyword().equals("FROM"); i++) {
      Dockerfile.Instruction instruction = all.get(i);
      if (!instruction.keyword().equals("ARG")) {
        throw NotAppendable.at(instruction, "only ARG may come before the first FROM");
      }
      declareArgs(instruction, escape, args, globals, globals);
    }
    return i;
  }

  /** The index of the stage append builds (the target, else the last); it must be on the base. */
  private static int appendedStage(List<Stage> stages, Optional<String> target) {
    int last = builtStage(stages, target);
    String base = stages.get(last).from();
    if (!base.equals("${BASE_IMAGE}") && !base.equals("$BASE_IMAGE")) {
      throw NotAppendable.at(
          stages.get(last).instructions().get(0),
          "the appended stage must start FROM ${BASE_IMAGE} (the instance's base image)");
    }
    return last;
  }

  /** The index of the stage the build makes: the target, else the last. */
  static int builtStage(List<Stage> stages, Optional<String> target) {
    if (stages.isEmpty()) {
      throw new NotAppendable("the Dockerfile has no FROM");
    }
    int last = stages.size() - 1;
    if (target.isPresent() && !target.get().isEmpty()) {
      last = Stage.indexOf(stages, target.get());
      if (last < 0) {
        throw new NotAppendable("the Dockerfile has no stage named '" + target.get() + "'");
      }
    }
    return last;
  }

  /**
   * The stage's COPY and ADD lines as copies and its foldable RUNs ({@link FoldedRun}, on paths the
   * stage copied) in order; config lines go through the scope; anything else fails.
   */
  private static List<Object> steps(
      List<Dockerfile.Instruction> body, LayerScope scope, List<Stage> earlier) {
    List<Object> steps = new ArrayList<>();
    List<String> added = new ArrayList<>();
    for (Dockerfile.Instruction instruction : body) {
      String keyword = instruction.keyword();
      if (keyword.equals("COPY") || keyword.equals("ADD")) {
        FileCopy copy = scope.copy(instruction, earlier);
        steps.add(copy);
        added.add(copy.destination());
      } else if (CONFIG_INSTRUCTIONS.contains(keyword)) {
        scope.apply(instruction);
      } else if (keyword.equals("RUN")
          && FoldedRun.parse(instruction, scope.workdir())
              .filter(run -> onAddedPaths(run, added))
              .isPresent()) {
        steps.add(FoldedRun.parse(instruction, scope.workdir()).orElseThrow());
      } else {
        throw NotAppendable.at(
            instruction,
            keyword
                + " can't be assembled in a registry (after FROM ${BASE_IMAGE} append takes only"
                + " COPY, ADD of local files, ENV, LABEL, WORKDIR, USER, ENTRYPOINT, CMD, EXPOSE,"
                + " ARG, SHELL and STOPSIGNAL, and folds a RUN of chmod, chown, mkdir -p and ln -s"
                + " on paths the stage copied)");
      }
    }
    return steps;
  }

  /** Whether every path the RUN touches is one an earlier COPY of the stage put there, or below. */
  private static boolean onAddedPaths(FoldedRun run, List<String> added) {
    return run.ops().stream()
        .flatMap(op -> op.paths().stream())
        .allMatch(
            path ->
                added.stream()
                    .anyMatch(d -> path.equals(d) || path.startsWith(d.equals("/") ? d : d + "/")));
  }

  /** Per earlier stage copied from, the paths read from it; each such stage must not be on BASE. */
  private static Map<String, List<String>> stageSources(List<FileCopy> copies, List<Stage> stages) {
    Map<String, List<String>> stageSources = new LinkedHashMap<>();
    for (FileCopy copy : copies) {
      copy.fromStage()
          .ifPresent(
              name -> {
                requireIndependentOfBase(stages, Stage.indexOf(stages, name), copy);
                stageSources.computeIfAbsent(name, n -> new ArrayList<>()).addAll(copy.sources());
              });
    }
    stageSources.replaceAll((name, paths) -> List.copyOf(new LinkedHashSet<>(paths)));
    return stageSources;
  }

  /**
   * The earlier stages the layer copies from, in Dockerfile order, each with the paths it reads
   * (absolute in that stage's file system). Empty means no daemon is needed at all.
   */
  public Map<String, List<String>> stageSources() {
    return stageSources;
  }

  /**
   * What to take out of each earlier stage for the layer: every source path, cut before its first
   * wildcard segment (the glob is matched later, in the export), absolute and cleaned.
   */
  public Map<String, List<String>> exportPaths() {
    Map<String, List<String>> exports = new LinkedHashMap<>();
    stageSources.forEach(
        (stage, sources) -> {
          Set<String> paths = new LinkedHashSet<>();
          for (String source : sources) {
            String path = "/";
            for (String segment : PosixPaths.clean(source).substring(1).split("/")) {
              if (segment.isEmpty() || segment.matches(".*[*?\\[].*")) {
                break;
              }
              path = PosixPaths.resolve(path, segment);
            }
            paths.add(path);
          }
          exports.put(stage, List.copyOf(paths));
        });
    return exports;
  }

  /** Per stage of {@link #exportPaths()}, what building it reads, for a cache key. */
  public Map<String, StageInputs> stageInputs() {
    return stageInputs;
  }

  /**
   * What the layer is made from besides files: the ARGs before the first FROM, the appended stage's
   * lines, and the build args with their values, for a cache key.
   */
  public List<String> layerLines() {
    List<String> lines = new ArrayList<>();
    lines.add("escape " + dockerfile.escape());
    for (Dockerfile.Instruction instruction : dockerfile.instructions()) {
      if (instruction.keyword().equals("FROM")) {
        break;
      }
      lines.add(instruction.text());
    }
    stage.forEach(instruction -> lines.add(instruction.text()));
    new java.util.TreeMap<>(buildArgs)
        .forEach((name, value) -> lines.add("arg " + name + "=" + value));
    return lines;
  }

  public boolean needsEarlierStages() {
    return !stageSources.isEmpty();
  }

  /** Whether the stage copies anything; without it there is no layer, only a new config. */
  public boolean addsFiles() {
    return !copies.isEmpty();
  }

  /** The Dockerfile this plan was read from; its earlier stages are built from it. */
  public String dockerfileText() {
    return text;
  }

  /** The RUNs folded into the layer, for the console. */
  public List<String> foldedRuns() {
    return folded.stream().map(r -> "line " + r.line() + " (" + r.text() + ")").toList();
  }

  /** The copies and folded RUNs, in Dockerfile order. */
  public List<Object> steps() {
    return steps;
  }

  List<FileCopy> copies() {
    return copies;
  }

  /** The instructions after {@code FROM ${BASE_IMAGE}}, as written. */
  public List<Dockerfile.Instruction> instructions() {
    return stage;
  }

  public char escape() {
    return dockerfile.escape();
  }

  public Map<String, Optional<String>> globalArgs() {
    return globalArgs;
  }

  public Map<String, String> buildArgs() {
    return buildArgs;
  }

  /**
   * Declares the names of an ARG instruction in {@code scope}: the build arg's value if given, else
   * the default (expanded against {@code visible}), else the value of a global ARG of that name.
   */
  public static void declareArgs(
      Dockerfile.Instruction instruction,
      char escape,
      Map<String, String> buildArgs,
      Map<String, Optional<String>> globals,
      Map<String, Optional<String>> scope) {
    for (String word : ShellWords.split(instruction.arguments(), escape)) {
      int eq = word.indexOf('=');
      String name = eq < 0 ? word : word.substring(0, eq);
      Optional<String> value;
      if (buildArgs.containsKey(name)) {
        value = Optional.of(buildArgs.get(name));
      } else if (eq >= 0) {
        Function<String, Optional<String>> lookup = n -> scope.getOrDefault(n, Optional.empty());
        value = Optional.of(ShellWords.expand(word.substring(eq + 1), escape, lookup));
      } else {
        value = globals.getOrDefault(name, Optional.empty());
      }
      scope.put(name, value);
    }
  }

  /** A stage built once per run must not be built on each instance's base. */
  private static void requireIndependentOfBase(List<Stage> stages, int index, FileCopy copy) {
    Set<Integer> seen = new HashSet<>();
    List<Integer> todo = new ArrayList<>(List.of(index));
    while (!todo.isEmpty()) {
      int i = todo.remove(todo.size() - 1);
      if (!seen.add(i)) {
        continue;
      }
      Stage stage = stages.get(i);
      if (ShellWords.variables(stage.from(), '\\').contains("BASE_IMAGE")) {
        throw new NotAppendable(
            "Dockerfile line "
                + copy.line()
                + ": stage '"
                + stages.get(index).name()
                + "' is built on ${BASE_IMAGE}, so it differs per image; append builds earlier"
                + " stages once per run; use --builder engine or --builder buildx");
      }
      int from = Stage.indexOf(stages, stage.from());
      if (from >= 0 && from < i) {
        todo.add(from);
      }
      for (Dockerfile.Instruction instruction : stage.instructions()) {
        String source = instruction.flags().get("from");
        int other = source == null ? -1 : Stage.indexOf(stages, source);
        if (other >= 0 && other < i) {
          todo.add(other);
        }
      }
    }
  }
}
