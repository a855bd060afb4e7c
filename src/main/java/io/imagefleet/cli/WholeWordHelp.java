package io.imagefleet.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Help;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;
import picocli.CommandLine.Model.UsageMessageSpec;

/**
 * picocli's help with lines broken only at spaces. picocli wraps with the JDK's line {@link
 * java.text.BreakIterator}, which breaks after a dot or slash inside a word ({@code ghcr.} / {@code
 * io/org/agent}, {@code e.} / {@code g.}), so a reference copied from the help is wrong.
 */
final class WholeWordHelp extends Help {
  WholeWordHelp(CommandSpec spec, ColorScheme scheme) {
    super(spec, scheme);
  }

  @Override
  public Layout createDefaultLayout(
      List<OptionSpec> options, List<PositionalParamSpec> positionals, ColorScheme scheme) {
    Layout layout = super.createDefaultLayout(options, positionals, scheme);
    TextTable table = new WholeWordTable(scheme, layout.textTable());
    return new Layout(scheme, table, layout.optionRenderer(), layout.parameterRenderer());
  }

  /** As picocli's: names in a column as wide as the longest (at most half), then the header. */
  @Override
  public String commandList(Map<String, Help> subcommands) {
    if (subcommands.isEmpty()) {
      return "";
    }
    int width = commandSpec().usageMessage().width();
    int names =
        Math.min(width / 2, subcommands.keySet().stream().mapToInt(String::length).max().orElse(0));
    TextTable table =
        new WholeWordTable(
            colorScheme(),
            new Column(names + 2, 2, Column.Overflow.SPAN),
            new Column(width - (names + 2), 2, Column.Overflow.WRAP));
    for (Help help : subcommands.values()) {
      Ansi.Text[] lines = colorScheme().text(String.format(summary(help))).splitLines();
      for (int i = 0; i < lines.length; i++) {
        table.addRowValues(i == 0 ? help.commandNamesText(", ") : colorScheme().text(""), lines[i]);
      }
    }
    return table.toString();
  }

  @Override
  public String description(Object... params) {
    TextTable table =
        new WholeWordTable(
            colorScheme(),
            new Column(commandSpec().usageMessage().width(), 0, Column.Overflow.WRAP));
    table.indentWrappedLines = 0;
    for (String line : commandSpec().usageMessage().description()) {
      table.addRowValues(String.format(line, params));
    }
    return table.toString();
  }

  private static String summary(Help help) {
    UsageMessageSpec usage = help.commandSpec().usageMessage();
    if (usage.header().length > 0) {
      return usage.header()[0];
    }
    return usage.description().length > 0 ? usage.description()[0] : "";
  }

  /** A table whose wrapping columns are filled a line at a time, each line ending at a space. */
  private static final class WholeWordTable extends TextTable {
    private final ColorScheme scheme;

    WholeWordTable(ColorScheme scheme, Column... columns) {
      super(scheme, columns);
      this.scheme = scheme;
    }

    WholeWordTable(ColorScheme scheme, TextTable like) {
      this(scheme, like.columns());
      indentWrappedLines = like.indentWrappedLines;
      setAdjustLineBreaksForWideCJKCharacters(like.isAdjustLineBreaksForWideCJKCharacters());
    }

    @Override
    public Cell putValue(int row, int col, Ansi.Text value) {
      Column column = columns()[col];
      if (column.overflow != Column.Overflow.WRAP || value == null) {
        return super.putValue(row, col, value);
      }
      String plain = value.plainString();
      String hanging = " ".repeat(indentWrappedLines);
      int room = column.width - column.indent;
      Cell cell = null;
      for (int[] line : lines(plain, room, room - indentWrappedLines)) {
        Ansi.Text text = value.substring(line[0], line[1]);
        if (cell == null) {
          cell = super.putValue(row, col, text);
        } else {
          addEmptyRow();
          cell = super.putValue(rowCount() - 1, col, scheme.text(hanging).concat(text));
        }
      }
      return cell == null ? super.putValue(row, col, value) : cell;
    }

    /**
     * Start and end of each line: as many words as fit in {@code first} characters, then in {@code
     * rest}; a word longer than a line stands alone (and picocli cuts it, as it must).
     */
    static List<int[]> lines(String text, int first, int rest) {
      List<int[]> lines = new ArrayList<>();
      int start = 0;
      int room = first;
      while (start < text.length()) {
        int end;
        if (text.length() - start <= room) {
          end = text.length();
        } else {
          end = text.lastIndexOf(' ', start + room);
          if (end <= start) {
            end = text.indexOf(' ', start + 1);
            end = end < 0 ? text.length() : end;
          }
        }
        lines.add(new int[] {start, end});
        start = end;
        while (start < text.length() && text.charAt(start) == ' ') {
          start++;
        }
        room = rest;
      }
      return lines;
    }
  }
}
