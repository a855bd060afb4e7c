package io.imagefleet.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/** The root command; it only groups the subcommands. */
@Command(
    name = "imagefleet",
    mixinStandardHelpOptions = true,
    versionProvider = ImagefleetCommand.Version.class,
    description = {
      "Builds one Docker image per benchmark instance (SWE-Bench, SWT-Bench) at scale, and generates"
          + " the GitHub Actions workflows that do it."
    },
    subcommands = {
      GenerateCommand.class,
      PreflightCommand.class,
      BuildCommand.class,
      CheckCommand.class,
      MirrorCommand.class,
      RetainCommand.class,
      DispatchCommand.class,
      ReportCommand.class,
      ActionCommand.class,
      HelpCommand.class
    })
final class ImagefleetCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(
      names = "--stacktrace",
      scope = ScopeType.INHERIT,
      description = "Print the stack trace of an error.")
  boolean stacktrace;

  @Override
  public Integer call() {
    spec.commandLine().usage(spec.commandLine().getErr());
    return ExitCode.INVALID_INPUT.code();
  }

  /** The version Maven wrote into the jar. */
  static final class Version implements picocli.CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() throws IOException {
      Properties properties = new Properties();
      try (InputStream in =
          ImagefleetCommand.class
              .getClassLoader()
              .getResourceAsStream("imagefleet-version.properties")) {
        if (in != null) {
          properties.load(in);
        }
      }
      return new String[] {"imagefleet " + properties.getProperty("version", "unknown")};
    }
  }
}
