package io.imagefleet.append.dockerfile;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code key=value ...} words of ENV and LABEL, unexpanded (quotes kept for {@link
 * ShellWords#expand}); also ENV's old {@code ENV key the rest of the line} form.
 */
public final class KeyValues {
  private KeyValues() {}

  public static Map<String, String> parse(Dockerfile.Instruction instruction, char escape) {
    List<String> words = ShellWords.split(instruction.arguments(), escape);
    if (words.isEmpty()) {
      throw NotAppendable.at(instruction, instruction.keyword() + " needs key=value");
    }
    Map<String, String> pairs = new LinkedHashMap<>();
    if (!words.get(0).contains("=")) {
      if (!instruction.keyword().equals("ENV") || words.size() < 2) {
        throw NotAppendable.at(instruction, instruction.keyword() + " needs key=value");
      }
      String key = words.get(0);
      pairs.put(key, instruction.arguments().substring(key.length()).strip());
      return pairs;
    }
    for (String word : words) {
      int eq = word.indexOf('=');
      if (eq <= 0) {
        throw NotAppendable.at(
            instruction, instruction.keyword() + " needs key=value, not '" + word + "'");
      }
      pairs.put(word.substring(0, eq), word.substring(eq + 1));
    }
    return pairs;
  }
}
