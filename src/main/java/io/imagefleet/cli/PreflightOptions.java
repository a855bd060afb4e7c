package io.imagefleet.cli;

import io.imagefleet.ImagefleetException;
import io.imagefleet.preflight.Preflight;
import io.imagefleet.preflight.ProbeMode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Option;

/** preflight's own options: what else to measure, how hard to prune, how to probe. */
final class PreflightOptions {
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

  /** What preflight does, checked: exit 2 for options that contradict each other. */
  Preflight.Options options(DiskFloorOptions disk) {
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

  ProbeMode probeMode() {
    try {
      return ProbeMode.valueOf(probe.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw ImagefleetException.invalidInput(
          "--probe must be auto, direct or helper, got '" + probe + "'");
    }
  }
}
