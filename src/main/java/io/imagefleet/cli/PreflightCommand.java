package io.imagefleet.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.imagefleet.ImagefleetException;
import io.imagefleet.NotEnoughDisk;
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
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
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

  @Mixin PreflightOptions preflight = new PreflightOptions();

  @Mixin DockerOptions docker = new DockerOptions();

  PreflightCommand(ActionsEnvironment env) {
    this.env = env;
  }

  @Override
  public Integer call() {
    Preflight.Options options = preflight.options(disk);
    ProbeMode mode = preflight.probeMode();
    PreflightReport report;
    try (DockerJavaDaemon daemon = DockerJavaDaemon.connect(env.variables())) {
      HelperImages images = docker.helperImages(daemon, env);
      DiskProbe diskProbe = new DiskProbe(daemon, mode, images);
      Optional<ToolchainRemover> toolchains =
          preflight.removeToolchains
              ? Optional.of(new ToolchainRemover(daemon, images, preflight.hostRoot))
              : Optional.empty();
      BuildxCli buildx = docker.buildx(env);
      report = new Preflight(daemon, diskProbe, buildx, toolchains).run(options);
    }
    spec.commandLine().getErr().print(report.table());
    spec.commandLine().getErr().flush();
    StepFiles files = new StepFiles(env);
    files.setOutputs(report.outputs());
    files.appendSummary(report.markdown());
    if (preflight.json != null) {
      writeJson(report, preflight.json);
    }
    if (!report.passed()) {
      throw new NotEnoughDisk(report.verdict());
    }
    return ExitCode.OK.code();
  }

  private static void writeJson(PreflightReport report, Path json) {
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
