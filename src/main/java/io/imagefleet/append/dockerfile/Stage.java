package io.imagefleet.append.dockerfile;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** One stage of a Dockerfile: its {@code AS} name (lower case, may be empty), base and lines. */
public record Stage(String name, String from, List<Dockerfile.Instruction> instructions) {

  static List<Stage> split(List<Dockerfile.Instruction> instructions, char escape) {
    List<Stage> stages = new ArrayList<>();
    List<Dockerfile.Instruction> current = null;
    for (Dockerfile.Instruction instruction : instructions) {
      if (instruction.keyword().equals("FROM")) {
        current = new ArrayList<>();
        List<String> words = ShellWords.split(instruction.arguments(), escape);
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

  static int indexOf(List<Stage> stages, String name) {
    for (int i = 0; i < stages.size(); i++) {
      if (stages.get(i).name().equalsIgnoreCase(name)) {
        return i;
      }
    }
    return -1;
  }
}
