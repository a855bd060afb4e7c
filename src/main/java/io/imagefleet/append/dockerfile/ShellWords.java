package io.imagefleet.append.dockerfile;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * The Dockerfile shell lexer, the part that applies outside RUN: word splitting with quotes, and
 * {@code $VAR}, {@code ${VAR}}, {@code ${VAR:-default}}, {@code ${VAR-default}}, {@code
 * ${VAR:+alt}} and {@code ${VAR+alt}} expansion. A lookup answers empty for a variable that is not
 * set; what an unset variable means is the lookup's business.
 */
public final class ShellWords {
  private ShellWords() {}

  /** Splits at unquoted whitespace, keeping quotes and escapes for {@link #expand}. */
  public static List<String> split(String text, char escape) {
    List<String> words = new ArrayList<>();
    StringBuilder word = new StringBuilder();
    char quote = 0;
    boolean inWord = false;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (quote == 0 && Character.isWhitespace(c)) {
        if (inWord) {
          words.add(word.toString());
          word.setLength(0);
          inWord = false;
        }
        continue;
      }
      inWord = true;
      word.append(c);
      if (c == escape && quote != '\'' && i + 1 < text.length()) {
        word.append(text.charAt(++i));
      } else if (quote == 0 && (c == '"' || c == '\'')) {
        quote = c;
      } else if (c == quote) {
        quote = 0;
      }
    }
    if (inWord) {
      words.add(word.toString());
    }
    return words;
  }

  /** Removes quotes and escapes and substitutes variables, as Docker does for one word. */
  public static String expand(String word, char escape, Function<String, Optional<String>> lookup) {
    StringBuilder out = new StringBuilder();
    char quote = 0;
    int i = 0;
    while (i < word.length()) {
      char c = word.charAt(i);
      if (quote != '\'' && c == escape && i + 1 < word.length()) {
        char next = word.charAt(i + 1);
        // Inside double quotes only quote, dollar and the escape itself are escapable.
        if (quote == '"' && next != '"' && next != '$' && next != escape) {
          out.append(c);
        }
        out.append(next);
        i += 2;
      } else if (quote == 0 && (c == '"' || c == '\'')) {
        quote = c;
        i++;
      } else if (c == quote) {
        quote = 0;
        i++;
      } else if (c == '$' && quote != '\'') {
        i = substitute(word, i, escape, lookup, out);
      } else {
        out.append(c);
        i++;
      }
    }
    return out.toString();
  }

  /** The variables a word reads (those of an unused default too, when the variable is unset). */
  static Set<String> variables(String word, char escape) {
    Set<String> names = new LinkedHashSet<>();
    expand(
        word,
        escape,
        name -> {
          names.add(name);
          return Optional.empty();
        });
    return names;
  }

  private static int substitute(
      String word,
      int dollar,
      char escape,
      Function<String, Optional<String>> lookup,
      StringBuilder out) {
    int i = dollar + 1;
    if (i < word.length() && word.charAt(i) == '{') {
      return braced(word, i, escape, lookup, out);
    }
    int end = i;
    while (end < word.length() && isNameChar(word.charAt(end))) {
      end++;
    }
    if (end == i) {
      out.append('$');
      return i;
    }
    out.append(lookup.apply(word.substring(i, end)).orElse(""));
    return end;
  }

  /** {@code ${NAME}} and its modifiers, from the brace at {@code open}; returns the next index. */
  private static int braced(
      String word,
      int open,
      char escape,
      Function<String, Optional<String>> lookup,
      StringBuilder out) {
    int close = matchingBrace(word, open);
    if (close < 0) {
      throw new IllegalArgumentException("missing '}' in " + word);
    }
    String body = word.substring(open + 1, close);
    int name = 0;
    while (name < body.length() && isNameChar(body.charAt(name))) {
      name++;
    }
    String variable = body.substring(0, name);
    if (variable.isEmpty()) {
      throw new IllegalArgumentException("bad substitution ${" + body + "}");
    }
    out.append(modified(body, body.substring(name), lookup.apply(variable), escape, lookup));
    return close + 1;
  }

  /** The value after a modifier: none, {@code :-}/{@code -} (default), {@code :+}/{@code +}. */
  private static String modified(
      String body,
      String modifier,
      Optional<String> value,
      char escape,
      Function<String, Optional<String>> lookup) {
    if (modifier.isEmpty()) {
      return value.orElse("");
    }
    boolean colon = modifier.startsWith(":");
    String rest = modifier.substring(colon ? 1 : 0);
    boolean empty = value.isEmpty() || (colon && value.get().isEmpty());
    if (rest.startsWith("-")) {
      return empty ? expand(rest.substring(1), escape, lookup) : value.get();
    }
    if (rest.startsWith("+")) {
      return empty ? "" : expand(rest.substring(1), escape, lookup);
    }
    throw new IllegalArgumentException("unsupported substitution ${" + body + "}");
  }

  private static int matchingBrace(String word, int open) {
    int depth = 0;
    for (int i = open; i < word.length(); i++) {
      if (word.charAt(i) == '{') {
        depth++;
      } else if (word.charAt(i) == '}' && --depth == 0) {
        return i;
      }
    }
    return -1;
  }

  private static boolean isNameChar(char c) {
    return c == '_' || Character.isLetterOrDigit(c) && c < 128;
  }
}
