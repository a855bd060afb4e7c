package io.imagefleet.append;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;

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
  private static final Set<String> COPY_FLAGS = Set.of("from", "chown", "chmod", "link");
  private static final Set<String> ADD_FLAGS = Set.of("chown", "chmod", "link");
  private static final Pattern NUMERIC_OWNER = Pattern.compile("(\\d+)(?::(\\d+))?");
  private static final Pattern OCTAL_MODE = Pattern.compile("[0-7]{3,4}");

  private final Dockerfile dockerfile;
  private final List<Dockerfile.Instruction> stage;
  private final Map<String, Optional<String>> globalArgs;
  private final Map<String, String> buildArgs;
  private final List<FileCopy> copies;
  private final Map<String, List<String>> stageSources;

  private AppendPlan(
      Dockerfile dockerfile,
      List<Dockerfile.Instruction> stage,
      Map<String, Optional<String>> globalArgs,
      Map<String, String> buildArgs,
      List<FileCopy> copies,
      Map<String, List<String>> stageSources) {
    this.dockerfile = dockerfile;
    this.stage = List.copyOf(stage);
    this.globalArgs = globalArgs;
    this.buildArgs = buildArgs;
    this.copies = List.copyOf(copies);
    this.stageSources = stageSources;
  }

  /**
   * Reads a Dockerfile for append. {@code buildArgs} are the run's: SDIST, SDK_COMMIT and the
   * user's; a BASE_IMAGE in them is ignored (it differs per image and is given to {@link
   * ConfigEditor}). {@code target} picks the stage like {@code --target}; empty means the last.
   *
   * @throws NotAppendable naming the line when the Dockerfile needs a daemon for every image
   */
  public static AppendPlan parse(
      String dockerfileText, Optional<String> target, Map<String, String> buildArgs) {
    Dockerfile dockerfile;
    try {
      dockerfile = Dockerfile.parse(dockerfileText);
    } catch (IllegalArgumentException e) {
      throw new NotAppendable("Dockerfile " + e.getMessage());
    }
    Map<String, String> args = new LinkedHashMap<>(buildArgs);
    args.remove("BASE_IMAGE");
    List<Dockerfile.Instruction> all = dockerfile.instructions();
    Map<String, Optional<String>> globals = new LinkedHashMap<>();
    int i = 0;
    for (; i < all.size() && !all.get(i).keyword().equals("FROM"); i++) {
      Dockerfile.Instruction instruction = all.get(i);
      if (!instruction.keyword().equals("ARG")) {
        throw NotAppendable.at(instruction, "only ARG may come before the first FROM");
      }
      declareArgs(instruction, dockerfile.escape(), args, globals, globals);
    }
    List<Stage> stages = stages(all.subList(i, all.size()), dockerfile.escape());
    if (stages.isEmpty()) {
      throw new NotAppendable("the Dockerfile has no FROM");
    }
    int last = stages.size() - 1;
    if (target.isPresent() && !target.get().isEmpty()) {
      last = indexOf(stages, target.get());
      if (last < 0) {
        throw new NotAppendable("the Dockerfile has no stage named '" + target.get() + "'");
      }
    }
    Stage appended = stages.get(last);
    String base = appended.from();
    if (!base.equals("${BASE_IMAGE}") && !base.equals("$BASE_IMAGE")) {
      throw NotAppendable.at(
          appended.instructions().get(0),
          "the appended stage must start FROM ${BASE_IMAGE} (the instance's base image)");
    }
    LayerScope scope = new LayerScope(dockerfile.escape(), args, globals);
    List<FileCopy> copies = new ArrayList<>();
    for (Dockerfile.Instruction instruction :
        appended.instructions().subList(1, appended.instructions().size())) {
      String keyword = instruction.keyword();
      if (keyword.equals("COPY") || keyword.equals("ADD")) {
        copies.add(scope.copy(instruction, stages.subList(0, last)));
      } else if (CONFIG_INSTRUCTIONS.contains(keyword)) {
        scope.apply(instruction);
      } else {
        throw NotAppendable.at(
            instruction,
            keyword
                + " can't be assembled in a registry (after FROM ${BASE_IMAGE} append takes only"
                + " COPY, ADD of local files, ENV, LABEL, WORKDIR, USER, ENTRYPOINT, CMD, EXPOSE,"
                + " ARG, SHELL and STOPSIGNAL)");
      }
    }
    Map<String, List<String>> stageSources = new LinkedHashMap<>();
    for (FileCopy copy : copies) {
      copy.fromStage()
          .ifPresent(
              name -> {
                requireIndependentOfBase(stages, indexOf(stages, name), copy);
                stageSources.computeIfAbsent(name, n -> new ArrayList<>()).addAll(copy.sources());
              });
    }
    stageSources.replaceAll((name, paths) -> List.copyOf(new LinkedHashSet<>(paths)));
    return new AppendPlan(
        dockerfile,
        appended.instructions().subList(1, appended.instructions().size()),
        globals,
        Map.copyOf(args),
        copies,
        stageSources);
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

  public boolean needsEarlierStages() {
    return !stageSources.isEmpty();
  }

  /** Whether the stage copies anything; without it there is no layer, only a new config. */
  public boolean addsFiles() {
    return !copies.isEmpty();
  }

  List<FileCopy> copies() {
    return copies;
  }

  /** The instructions after {@code FROM ${BASE_IMAGE}}, as written. */
  List<Dockerfile.Instruction> instructions() {
    return stage;
  }

  char escape() {
    return dockerfile.escape();
  }

  Map<String, Optional<String>> globalArgs() {
    return globalArgs;
  }

  Map<String, String> buildArgs() {
    return buildArgs;
  }

  /**
   * Declares the names of an ARG instruction in {@code scope}: the build arg's value if given, else
   * the default (expanded against {@code visible}), else the value of a global ARG of that name.
   */
  static void declareArgs(
      Dockerfile.Instruction instruction,
      char escape,
      Map<String, String> buildArgs,
      Map<String, Optional<String>> globals,
      Map<String, Optional<String>> scope) {
    for (String word : Words.split(instruction.arguments(), escape)) {
      int eq = word.indexOf('=');
      String name = eq < 0 ? word : word.substring(0, eq);
      Optional<String> value;
      if (buildArgs.containsKey(name)) {
        value = Optional.of(buildArgs.get(name));
      } else if (eq >= 0) {
        Function<String, Optional<String>> lookup = n -> scope.getOrDefault(n, Optional.empty());
        value = Optional.of(Words.expand(word.substring(eq + 1), escape, lookup));
      } else {
        value = globals.getOrDefault(name, Optional.empty());
      }
      scope.put(name, value);
    }
  }

  private record Stage(String name, String from, List<Dockerfile.Instruction> instructions) {}

  private static List<Stage> stages(List<Dockerfile.Instruction> instructions, char escape) {
    List<Stage> stages = new ArrayList<>();
    List<Dockerfile.Instruction> current = null;
    for (Dockerfile.Instruction instruction : instructions) {
      if (instruction.keyword().equals("FROM")) {
        current = new ArrayList<>();
        List<String> words = Words.split(instruction.arguments(), escape);
        String name = "";
        if (words.size() == 3 && words.get(1).equalsIgnoreCase("AS")) {
          name = words.get(2).toLowerCase(Locale.ROOT);
        } else if (words.size() != 1) {
          throw NotAppendable.at(instruction, "FROM takes an image and an optional AS name");
        }
        stages.add(new Stage(name, words.get(0), current));
      }
      current.add(instruction);
    }
    return stages;
  }

  private static int indexOf(List<Stage> stages, String name) {
    for (int i = 0; i < stages.size(); i++) {
      if (stages.get(i).name().equalsIgnoreCase(name)) {
        return i;
      }
    }
    return -1;
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
      if (Words.variables(stage.from(), '\\').contains("BASE_IMAGE")) {
        throw new NotAppendable(
            "Dockerfile line "
                + copy.line()
                + ": stage '"
                + stages.get(index).name()
                + "' is built on ${BASE_IMAGE}, so it differs per image; append builds earlier"
                + " stages once per run; use --builder engine or --builder buildx");
      }
      int from = indexOf(stages, stage.from());
      if (from >= 0 && from < i) {
        todo.add(from);
      }
      for (Dockerfile.Instruction instruction : stage.instructions()) {
        String source = instruction.flags().get("from");
        int other = source == null ? -1 : indexOf(stages, source);
        if (other >= 0 && other < i) {
          todo.add(other);
        }
      }
    }
  }

  /**
   * What the layer's COPY and ADD lines can know once per run: the stage's ARGs and ENVs, and its
   * WORKDIR once an absolute one is set. An empty value means "comes from the base image".
   */
  private static final class LayerScope {
    private final char escape;
    private final Map<String, String> buildArgs;
    private final Map<String, Optional<String>> globals;
    private final Map<String, Optional<String>> args = new HashMap<>();
    private final Map<String, Optional<String>> env = new HashMap<>();
    private Optional<String> workdir = Optional.empty();

    LayerScope(char escape, Map<String, String> buildArgs, Map<String, Optional<String>> globals) {
      this.escape = escape;
      this.buildArgs = buildArgs;
      this.globals = globals;
    }

    void apply(Dockerfile.Instruction instruction) {
      switch (instruction.keyword()) {
        case "ARG" -> declareArgs(instruction, escape, buildArgs, globals, args);
        case "ENV" -> {
          Map<String, Optional<String>> values = new LinkedHashMap<>();
          // Every value reads the environment from before this instruction, as Docker's do.
          KeyValues.parse(instruction, escape).forEach((k, v) -> values.put(k, known(v)));
          env.putAll(values);
        }
        case "WORKDIR" -> {
          Optional<String> dir = known(instruction.arguments());
          workdir =
              dir.flatMap(d -> d.startsWith("/") ? Optional.of(d) : workdir.map(w -> w + "/" + d));
        }
        default -> {
          // Config only; ConfigEditor applies it per image.
        }
      }
    }

    FileCopy copy(Dockerfile.Instruction instruction, List<Stage> earlier) {
      boolean add = instruction.keyword().equals("ADD");
      for (String flag : instruction.flags().keySet()) {
        if (!(add ? ADD_FLAGS : COPY_FLAGS).contains(flag)) {
          throw NotAppendable.at(
              instruction, instruction.keyword() + " --" + flag + " is not supported by append");
        }
      }
      List<String> words =
          instruction.json().orElseGet(() -> List.of(instruction.arguments().trim().split("\\s+")));
      if (words.size() < 2 || words.get(0).isEmpty()) {
        throw NotAppendable.at(
            instruction, instruction.keyword() + " needs a source and a destination");
      }
      if (words.stream().anyMatch(w -> w.startsWith("<<"))) {
        throw NotAppendable.at(instruction, "heredocs are not supported by append");
      }
      List<String> expanded = new ArrayList<>();
      for (String word : words) {
        expanded.add(expandKnown(instruction, word));
      }
      List<String> sources = expanded.subList(0, expanded.size() - 1);
      String rawDestination = expanded.get(expanded.size() - 1);
      Optional<String> fromStage = fromStage(instruction, earlier);
      for (String source : sources) {
        if (add && (source.contains("://") || source.startsWith("git@"))) {
          throw NotAppendable.at(
              instruction, "ADD of a URL or git repository is not supported by append");
        }
      }
      boolean directory =
          rawDestination.endsWith("/")
              || rawDestination.equals(".")
              || rawDestination.endsWith("/.");
      String destination;
      if (rawDestination.startsWith("/")) {
        destination = PosixPaths.clean(rawDestination);
      } else if (workdir.isPresent()) {
        destination = PosixPaths.resolve(workdir.get(), rawDestination);
      } else {
        throw NotAppendable.at(
            instruction,
            "the relative destination '"
                + rawDestination
                + "' would depend on each base image's WORKDIR; write an absolute path or set"
                + " WORKDIR in this stage first");
      }
      if (sources.size() > 1 && !directory) {
        throw NotAppendable.at(
            instruction, "with several sources the destination must be a directory ending in /");
      }
      return new FileCopy(
          instruction.line(),
          instruction.text(),
          add,
          fromStage,
          sources,
          destination,
          directory || destination.equals("/"),
          owner(instruction),
          mode(instruction));
    }

    private Optional<String> fromStage(Dockerfile.Instruction instruction, List<Stage> earlier) {
      String from = instruction.flags().get("from");
      if (from == null) {
        return Optional.empty();
      }
      String name = expandKnown(instruction, from);
      if (name.matches("\\d+")) {
        throw NotAppendable.at(instruction, "name the stage (FROM … AS name) and use --from=name");
      }
      if (indexOf(earlier, name) < 0) {
        throw NotAppendable.at(
            instruction,
            "--from="
                + name
                + " names no earlier stage; copying from another image is not supported by"
                + " append");
      }
      return Optional.of(name.toLowerCase(Locale.ROOT));
    }

    private Optional<FileCopy.Owner> owner(Dockerfile.Instruction instruction) {
      String chown = instruction.flags().get("chown");
      if (chown == null) {
        return Optional.empty();
      }
      var matcher = NUMERIC_OWNER.matcher(expandKnown(instruction, chown));
      if (!matcher.matches()) {
        throw NotAppendable.at(
            instruction,
            "--chown="
                + chown
                + " needs numeric ids with append (names live in each base's /etc/passwd),"
                + " e.g. --chown=1000:1000");
      }
      int uid = Integer.parseInt(matcher.group(1));
      int gid = matcher.group(2) == null ? uid : Integer.parseInt(matcher.group(2));
      return Optional.of(new FileCopy.Owner(uid, gid));
    }

    private Optional<Integer> mode(Dockerfile.Instruction instruction) {
      String chmod = instruction.flags().get("chmod");
      if (chmod == null) {
        return Optional.empty();
      }
      String value = expandKnown(instruction, chmod);
      if (!OCTAL_MODE.matcher(value).matches()) {
        throw NotAppendable.at(
            instruction, "--chmod=" + chmod + " must be octal with append, e.g. --chmod=0755");
      }
      return Optional.of(Integer.parseInt(value, 8));
    }

    private Optional<String> known(String word) {
      try {
        return Optional.of(Words.expand(word, escape, this::lookup));
      } catch (BaseDependent e) {
        return Optional.empty();
      }
    }

    private String expandKnown(Dockerfile.Instruction instruction, String word) {
      try {
        return Words.expand(word, escape, this::lookup);
      } catch (BaseDependent e) {
        throw NotAppendable.at(
            instruction,
            "it reads $"
                + e.name
                + ", which this stage neither declares with ARG nor sets with ENV, so its value"
                + " would come from each base image (the layer is built once per run); add ARG "
                + e.name
                + " after FROM, or write the value out");
      } catch (IllegalArgumentException e) {
        throw NotAppendable.at(instruction, e.getMessage());
      }
    }

    private Optional<String> lookup(String name) {
      if (env.containsKey(name)) {
        return Optional.of(env.get(name).orElseThrow(() -> new BaseDependent(name)));
      }
      if (args.containsKey(name) && !name.equals("BASE_IMAGE")) {
        return args.get(name);
      }
      throw new BaseDependent(name);
    }
  }

  private static final class BaseDependent extends RuntimeException {
    final String name;

    BaseDependent(String name) {
      super(name, null, false, false);
      this.name = name;
    }
  }
}
