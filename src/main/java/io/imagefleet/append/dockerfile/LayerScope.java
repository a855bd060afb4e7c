package io.imagefleet.append.dockerfile;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What the layer's COPY and ADD lines can know once per run: the stage's ARGs and ENVs, and its
 * WORKDIR once an absolute one is set. An empty value means "comes from the base image".
 */
final class LayerScope {
  private static final Set<String> COPY_FLAGS = Set.of("from", "chown", "chmod", "link");
  private static final Set<String> ADD_FLAGS = Set.of("chown", "chmod", "link");
  private static final Pattern NUMERIC_OWNER = Pattern.compile("(\\d+)(?::(\\d+))?");
  private static final Pattern OCTAL_MODE = Pattern.compile("[0-7]{3,4}");

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
      case "ARG" -> AppendPlan.declareArgs(instruction, escape, buildArgs, globals, args);
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

  /** The WORKDIR the stage set so far, when it set an absolute one. */
  Optional<String> workdir() {
    return workdir;
  }

  FileCopy copy(Dockerfile.Instruction instruction, List<Stage> earlier) {
    boolean add = instruction.keyword().equals("ADD");
    List<String> expanded = words(instruction, add);
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
        rawDestination.endsWith("/") || rawDestination.equals(".") || rawDestination.endsWith("/.");
    String destination = destination(instruction, rawDestination);
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

  /** The sources and destination of a COPY or ADD, expanded; its flags checked. */
  private List<String> words(Dockerfile.Instruction instruction, boolean add) {
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
    return expanded;
  }

  /** An absolute destination; a relative one only against a WORKDIR the stage set. */
  private String destination(Dockerfile.Instruction instruction, String raw) {
    if (raw.startsWith("/")) {
      return PosixPaths.clean(raw);
    }
    if (workdir.isPresent()) {
      return PosixPaths.resolve(workdir.get(), raw);
    }
    throw NotAppendable.at(
        instruction,
        "the relative destination '"
            + raw
            + "' would depend on each base image's WORKDIR; write an absolute path or set"
            + " WORKDIR in this stage first");
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
    if (Stage.indexOf(earlier, name) < 0) {
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
      return Optional.of(ShellWords.expand(word, escape, this::lookup));
    } catch (BaseDependent e) {
      return Optional.empty();
    }
  }

  private String expandKnown(Dockerfile.Instruction instruction, String word) {
    try {
      return ShellWords.expand(word, escape, this::lookup);
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

  private static final class BaseDependent extends RuntimeException {
    final String name;

    BaseDependent(String name) {
      super(name, null, false, false);
      this.name = name;
    }
  }
}
