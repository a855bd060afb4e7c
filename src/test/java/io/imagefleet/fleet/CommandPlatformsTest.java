package io.imagefleet.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import io.imagefleet.registry.Platform;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CommandPlatformsTest {
  private static final Platform ARM64 = Platform.parse("linux/arm64");

  @TempDir Path binfmt;

  @org.junit.jupiter.api.BeforeEach
  void mounted() throws Exception {
    Files.writeString(binfmt.resolve("status"), "enabled\n");
  }

  @Test
  void anUnmountedBinfmtIsSaidToShowNothing() throws Exception {
    Files.delete(binfmt.resolve("status"));
    assertThat(
            CommandPlatforms.engine(binfmt, "amd64")
                .lacking(List.of(ARM64), "the env stage")
                .orElseThrow())
        .contains(
            "the Docker engine on this machine ("
                + binfmt
                + " is not mounted here, so no QEMU handler can be seen) can't run linux/arm64"
                + " commands");
  }

  @Test
  void theEngineRunsItsOwnPlatformAndWhatAnEnabledQemuHandlerRuns() throws Exception {
    CommandPlatforms bare = CommandPlatforms.engine(binfmt, "amd64");
    assertThat(bare.runs(Platform.LINUX_AMD64)).isTrue();
    assertThat(bare.runs(ARM64)).isFalse();

    Files.writeString(binfmt.resolve("qemu-aarch64"), "disabled\ninterpreter /usr/bin/qemu\n");
    assertThat(CommandPlatforms.engine(binfmt, "amd64").runs(ARM64)).isFalse();
    Files.writeString(binfmt.resolve("qemu-aarch64"), "enabled\ninterpreter /usr/bin/qemu\n");
    assertThat(CommandPlatforms.engine(binfmt, "amd64").runs(ARM64)).isTrue();
    assertThat(CommandPlatforms.engine(binfmt, "amd64").runs(Platform.parse("linux/arm64/v8")))
        .isTrue();
  }

  @Test
  void qemuArmRunsEveryArmVariant() throws Exception {
    Files.writeString(binfmt.resolve("qemu-arm"), "enabled\ninterpreter /usr/bin/qemu-arm\n");
    CommandPlatforms engine = CommandPlatforms.engine(binfmt, "amd64");
    assertThat(engine.runs(Platform.parse("linux/arm/v7"))).isTrue();
    assertThat(engine.runs(Platform.parse("linux/arm"))).isTrue();
    assertThat(engine.runs(Platform.parse("linux/arm/v6"))).isTrue();
  }

  @Test
  void aPlatformItCantRunIsNamedWithWhatIsNeeded() {
    CommandPlatforms engine = CommandPlatforms.engine(binfmt, "amd64");
    assertThat(engine.lacking(List.of(Platform.LINUX_AMD64), "the env stage")).isEmpty();
    assertThat(engine.lacking(List.of(Platform.LINUX_AMD64, ARM64), "the env stage"))
        .hasValue(
            "--platform linux/arm64: the env stage runs commands, and the Docker engine on this"
                + " machine can't run linux/arm64 commands (it runs linux/amd64); add emulation"
                + " (docker/setup-qemu-action, or docker run --privileged --rm tonistiigi/binfmt"
                + " --install arm64), or build on a builder with a linux/arm64 node"
                + " (--buildx-builder NAME)");
  }

  @Test
  void aBuilderThatListsNoPlatformsIsNotRefusedOnAGuess() {
    CommandPlatforms silent = new CommandPlatforms("buildx builder far", List.of());
    assertThat(silent.lacking(List.of(ARM64), "stage 'tools'")).isEmpty();
    CommandPlatforms amd =
        new CommandPlatforms(
            "buildx builder far",
            List.of(Platform.LINUX_AMD64, new Platform("linux", "amd64", "v2")));
    assertThat(amd.runs(Platform.LINUX_AMD64)).isTrue();
    assertThat(amd.runs(ARM64)).isFalse();
  }
}
