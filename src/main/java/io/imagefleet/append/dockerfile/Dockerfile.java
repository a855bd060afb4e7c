package io.imagefleet.append.dockerfile;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Dockerfile split into instructions: continuation lines joined, comments and blank lines
 * dropped, the {@code escape} parser directive honoured (other directives, like {@code syntax}, are
 * ignored), leading {@code --flag[=value]} words and the JSON form recognised.
 */
public record Dockerfile(List<Dockerfile.Instruction> instructions, char escape) {
  private static final ObjectMapper JSON = new ObjectMapper();
  static final Pattern DIRECTIVE =
      Pattern.compile("^#\\s*([a-zA-Z][a-zA-Z0-9]*)\\s*=\\s*(.+?)\\s*$");
  private static final Pattern FLAG = Pattern.compile("--([a-zA-Z][a-zA-Z0-9-]*)(?:=(\\S*))?");

  /**
   * One instruction. {@code arguments} is the text after the keyword and flags; {@code json} holds
   * the strings of the JSON (exec) form when the arguments are one.
   */
  public record Instruction(
      int line,
      String keyword,
      Map<String, String> flags,
      String arguments,
      Optional<List<String>> json,
      String text) {
    /** How the instruction reads in the Dockerfile, for messages and history. */
    @Override
    public String toString() {
      return text;
    }
  }

  /**
   * The first RUN of {@code content} that runs for the target platform; empty when none or it can't
   * be read. With {@code buildKit}, a stage {@code FROM --platform=$BUILDPLATFORM} runs where the
   * builder is (as cross-compiling stages do) and its RUNs don't count; the engine's own builder
   * knows no {@code $BUILDPLATFORM}, so without it every RUN counts.
   */
  public static Optional<Instruction> firstRun(String content, boolean buildKit) {
    List<Instruction> instructions;
    try {
      instructions = parse(content).instructions();
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
    boolean onBuilder = false;
    for (Instruction i : instructions) {
      if (i.keyword().equals("FROM")) {
        String platform = i.flags().getOrDefault("platform", "");
        onBuilder =
            buildKit && (platform.equals("$BUILDPLATFORM") || platform.equals("${BUILDPLATFORM}"));
      } else if (i.keyword().equals("RUN") && !onBuilder) {
        return Optional.of(i);
      }
    }
    return Optional.empty();
  }

  static Dockerfile parse(String content) {
    String[] lines = content.split("\r?\n", -1);
    char escape = '\\';
    int first = 0;
    for (; first < lines.length; first++) {
      Matcher directive = DIRECTIVE.matcher(lines[first].strip());
      if (!directive.matches()) {
        break;
      }
      if (directive.group(1).equalsIgnoreCase("escape")) {
        String value = directive.group(2);
        if (!value.equals("\\") && !value.equals("`")) {
          throw new IllegalArgumentException(
              "line " + (first + 1) + ": escape must be \\ or `, not " + value);
        }
        escape = value.charAt(0);
      }
    }
    return new Dockerfile(instructions(lines, first, escape), escape);
  }

  /** The logical lines from {@code first} on: continuations joined, comments and blanks dropped. */
  private static List<Instruction> instructions(String[] lines, int first, char escape) {
    List<Instruction> instructions = new ArrayList<>();
    StringBuilder logical = new StringBuilder();
    int start = -1;
    for (int i = first; i < lines.length; i++) {
      String line = lines[i];
      String stripped = line.strip();
      if (stripped.isEmpty() || stripped.startsWith("#")) {
        continue; // also inside a continuation, as Docker does
      }
      if (start < 0) {
        start = i + 1;
      }
      String trailing = line.stripTrailing();
      if (trailing.charAt(trailing.length() - 1) == escape) {
        logical.append(trailing, 0, trailing.length() - 1);
        continue;
      }
      logical.append(line);
      instructions.add(instruction(start, logical.toString().strip()));
      logical.setLength(0);
      start = -1;
    }
    if (start >= 0 && !logical.toString().isBlank()) {
      instructions.add(instruction(start, logical.toString().strip()));
    }
    return List.copyOf(instructions);
  }

  private static Instruction instruction(int line, String text) {
    int space = indexOfWhitespace(text, 0);
    String keyword = (space < 0 ? text : text.substring(0, space)).toUpperCase(Locale.ROOT);
    String rest = space < 0 ? "" : text.substring(space).strip();
    Map<String, String> flags = new LinkedHashMap<>();
    while (rest.startsWith("--")) {
      int end = indexOfWhitespace(rest, 0);
      String word = end < 0 ? rest : rest.substring(0, end);
      Matcher flag = FLAG.matcher(word);
      if (!flag.matches()) {
        break;
      }
      flags.put(flag.group(1).toLowerCase(Locale.ROOT), flag.group(2) == null ? "" : flag.group(2));
      rest = end < 0 ? "" : rest.substring(end).strip();
    }
    return new Instruction(line, keyword, Map.copyOf(flags), rest, jsonForm(rest), text);
  }

  private static Optional<List<String>> jsonForm(String arguments) {
    if (!arguments.startsWith("[")) {
      return Optional.empty();
    }
    try {
      JsonNode node = JSON.readTree(arguments);
      if (!node.isArray()) {
        return Optional.empty();
      }
      List<String> values = new ArrayList<>();
      for (JsonNode element : node) {
        if (!element.isTextual()) {
          return Optional.empty();
        }
        values.add(element.asText());
      }
      return Optional.of(List.copyOf(values));
    } catch (JsonProcessingException e) {
      return Optional.empty();
    }
  }

  private static int indexOfWhitespace(String text, int from) {
    for (int i = from; i < text.length(); i++) {
      if (Character.isWhitespace(text.charAt(i))) {
        return i;
      }
    }
    return -1;
  }
}
