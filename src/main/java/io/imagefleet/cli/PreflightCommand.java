package io.imagefleet.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.imagefleet.ExitCode;
import io.imagefleet.ImagefleetException;
import io.imagefleet.SafeFiles;
import io.imagefleet.actions.ActionsEnvironment;
import io.imagefleet.actions.StepFiles;
import io.imagefleet.docker.BuildxCli;
import io.imagefleet.docker.DockerJavaDaemon;
import io.imagefleet.preflight.DiskProbe;
import io.imagefleet.preflight.HelperImages;
import io.imagefleet.preflight.Preflight;
import io.imagefleet.preflight.PreflightReport;
import io.imagefleet.preflight.ProbeMode;
import io.imagefleet.preflight.ToolchainRemover;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "preflight",
    resourceBundle = "io.imagefleet.cli.preflight",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Measures free space where Docker really writes (the daemon's data root), prunes to a target,"
          + " and fails fast when the build would run out of disk."
    })
final class PreflightCommand implements Callable<Integer> {
  private final ActionsEnvironment env;

  @Spec CommandSpec spec;

  @Mixin DiskFloorOptions disk = new DiskFloorOptions();

  @Option(
      names = "--path",
      paramLabel = "P",
      description = "Also measure the filesystem of P, e.g. the workspace (repeatable).")
  List<Path> paths = new ArrayList<>();

  @Option(names = "--aggressive", description = "Also remove every image no container uses.")
  boolean aggressive;

  @Option(names = "--no-prune", description = "Only measure.")
  boolean noPrune;

  @Option(
      names = "--remove-toolchains",
      description =
          "Delete the large preinstalled toolchains of GitHub-hosted runners (dotnet, android, ghc, CodeQL, ...) through a helper container.")
  boolean removeToolchains;

  @Option(
      names = "--allow-unmeasured",
      description = "Go on when a measurement can't be made (it is still reported).")
  boolean allowUnmeasured;

  @Option(names = "--json", paramLabel = "FILE", description = "Also write the report as JSON.")
  Path json;

  @Option(
      names = "--probe",
      paramLabel = "MODE",
      defaultValue = "auto",
      description =
          "How to measure the data root: auto (directly when visible, else a helper container), direct or helper (default: ${DEFAULT-VALUE}).")
  String probe;

  /** Where the host's root is, as the daemon sees it; tests point it at a scratch directory. */
  @Option(names = "--host-root", hidden = true, defaultValue = "/")
  String hostRoot;

  @Mixin DockerOptions docker = new DockerOptions();

  PreflightCommand(ActionsEnvironment env) {
    this.env = env;
  }

  @Override
  public Integer call() {
    Preflight.Options options = options();
    ProbeMode mode = probeMode();
    PreflightReport report;
    try (DockerJavaDaemon daemon = DockerJavaDaemon.connect(env.variables())) {
      HelperImages images = docker.helperImages(daemon, env);
      DiskProbe diskProbe = new DiskProbe(daemon, mode, images);
      Optional<ToolchainRemover> toolchains =
          removeToolchains
              ? Optional.of(new ToolchainRemover(daemon, images, hostRoot))
              : Optional.empty();
      BuildxCli buildx = docker.buildx(env);
      report = new Preflight(daemon, diskProbe, buildx, toolchains).run(options);
    }
    spec.commandLine().getErr().print(report.table());
    spec.commandLine().getErr().flush();
    StepFiles files = new StepFiles(env);
    files.setOutputs(report.outputs());
    files.appendSummary(report.markdown());
    if (json != null) {
      writeJson(report);
    }
    if (!report.passed()) {
      throw new ImagefleetException(ExitCode.PREFLIGHT_THRESHOLD, report.verdict());
    }
    return ExitCode.OK.code();
  }

  private Preflight.Options options() {
    disk.check();
    if (noPrune && (aggressive || removeToolchains)) {
      throw ImagefleetException.invalidInput(
          "--no-prune only measures; drop it, or drop --aggressive and --remove-toolchains");
    }
    return new Preflight.Options(
        disk.floor().floorBytes(),
        disk.floor().keepBytes(),
        List.copyOf(paths),
        !noPrune,
        aggressive,
        allowUnmeasured);
  }

  private ProbeMode probeMode() {
    try {
      return ProbeMode.valueOf(probe.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw ImagefleetException.invalidInput(
          "--probe must be auto, direct or helper, got '" + probe + "'");
    }
  }

  private void writeJson(PreflightReport report) {
    try {
      byte[] bytes =
          new ObjectMapper()
              .enable(SerializationFeature.INDENT_OUTPUT)
              .writeValueAsBytes(report.toJsonTree());
      SafeFiles.writeAtomically(json, bytes);
    } catch (IOException e) {
      throw ImagefleetException.invalidInput(
          "--json " + json + ": cannot write: " + e.getMessage());
    }
  }
}
