package io.imagefleet.fleet;

import io.imagefleet.docker.BuildxCli;
import io.imagefleet.registry.Platform;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The platforms whose commands ({@code RUN}) a builder can run: its nodes' own and those QEMU
 * emulates there. A run asking for a platform its builder can't run a stage's commands for ends
 * before anything is built (exit 2), naming the platform and what is needed. {@code platforms}
 * empty: the builder didn't say, and nothing is refused on a guess.
 */
record CommandPlatforms(String builder, List<Platform> platforms) {
  /** binfmt_misc handlers QEMU registers, by the architecture they run (OCI names). */
  private static final Map<String, String> QEMU =
      Map.of(
          "qemu-aarch64", "arm64",
          "qemu-x86_64", "amd64",
          "qemu-arm", "arm",
          "qemu-riscv64", "riscv64",
          "qemu-ppc64le", "ppc64le",
          "qemu-s390x", "s390x",
          "qemu-i386", "386");

  static final Path BINFMT = Path.of("/proc/sys/fs/binfmt_misc");

  CommandPlatforms {
    platforms = List.copyOf(platforms);
  }

  /**
   * What runs a stage's commands for {@code run}: the builder {@code --buildx-builder} names, else
   * the active buildx builder when {@code buildx}, else the engine on this machine.
   */
  static CommandPlatforms of(BuilderContext run, boolean buildx) {
    Optional<NamedBuilder> named = run.namedBuilder();
    if (named.isPresent() || buildx) {
      return buildx(run, named.map(NamedBuilder::name));
    }
    return engine(BINFMT, AppendType.machineArchitecture());
  }

  /** The buildx builder {@code name} (empty: the active one). */
  static CommandPlatforms buildx(BuilderContext run, Optional<String> name) {
    BuildxCli cli = run.docker().buildx(NamedBuilder.LOOKUP_TIMEOUT);
    return new CommandPlatforms(
        name.map(n -> "buildx builder " + n).orElse("the active buildx builder"),
        parse(cli.platforms(name)));
  }

  /**
   * The engine on this machine: its own architecture and each one a QEMU handler is enabled for in
   * {@code binfmt} (what {@code tonistiigi/binfmt --install} or setup-qemu-action registers).
   */
  static CommandPlatforms engine(Path binfmt, String machineArchitecture) {
    List<Platform> platforms = new ArrayList<>();
    platforms.add(new Platform("linux", machineArchitecture, ""));
    QEMU.forEach(
        (handler, architecture) -> {
          Path entry = binfmt.resolve(handler);
          try {
            if (Files.isRegularFile(entry)
                && Files.readString(entry, StandardCharsets.UTF_8).startsWith("enabled")
                && !architecture.equals(machineArchitecture)) {
              platforms.add(new Platform("linux", architecture, ""));
              if (architecture.equals("arm")) {
                platforms.add(new Platform("linux", "arm", "v6")); // qemu-arm runs v6 as v7
              }
            }
          } catch (IOException e) {
            // An unreadable handler is not one this machine can count on.
          }
        });
    platforms.sort(java.util.Comparator.comparing(Platform::toString));
    // Unmounted (a container's view, often), binfmt_misc shows no handler even where QEMU is.
    boolean seen = Files.isRegularFile(binfmt.resolve("status"));
    return new CommandPlatforms(
        "the Docker engine on this machine"
            + (seen ? "" : " (" + binfmt + " is not mounted here, so no QEMU handler can be seen)"),
        platforms);
  }

  private static List<Platform> parse(List<String> listed) {
    List<Platform> platforms = new ArrayList<>();
    for (String text : listed) {
      String[] parts = text.split("/");
      if (parts.length >= 2) {
        platforms.add(new Platform(parts[0], parts[1], parts.length > 2 ? parts[2] : ""));
      }
    }
    return platforms;
  }

  /** Whether it runs {@code platform}'s commands (true when it didn't say). */
  boolean runs(Platform platform) {
    return platforms.isEmpty()
        || platforms.stream()
            .anyMatch(p -> platform.matches(p.os(), p.architecture(), p.variant()));
  }

  /**
   * Why {@code stage} (which runs commands) can't be built for each of {@code wanted}: empty when
   * it can run them all.
   */
  Optional<String> lacking(List<Platform> wanted, String stage) {
    List<Platform> missing = wanted.stream().filter(p -> !runs(p)).toList();
    if (missing.isEmpty()) {
      return Optional.empty();
    }
    String names = missing.stream().map(Platform::toString).collect(Collectors.joining(", "));
    String arch = missing.get(0).architecture();
    return Optional.of(
        "--platform "
            + names
            + ": "
            + stage
            + " runs commands, and "
            + builder
            + " can't run "
            + names
            + " commands (it runs "
            + platforms.stream().map(Platform::toString).collect(Collectors.joining(", "))
            + "); add emulation (docker/setup-qemu-action, or docker run --privileged --rm"
            + " tonistiigi/binfmt --install "
            + arch
            + "), or build on a builder with a "
            + names
            + " node (--buildx-builder NAME)");
  }
}
