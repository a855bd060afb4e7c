package io.imagefleet.sdist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SdistCacheTest {
  @TempDir Path dir;

  @Test
  void buildsOnceAndReusesUntilTheSourceChanges() throws Exception {
    Path sdk = Files.createDirectories(dir.resolve("sdk"));
    Files.writeString(sdk.resolve("setup.py"), "v1");
    Files.createDirectories(sdk.resolve(".git")).resolve("HEAD").toFile().createNewFile();
    Path runs = dir.resolve("runs");
    String command = "echo run >> " + runs + "; tar czf {out}/agent-1.tar.gz setup.py";
    SdistCache cache = new SdistCache(dir.resolve("cache"), Duration.ofSeconds(30));
    Path log = dir.resolve("logs/sdist.log");

    SdistCache.Sdist first = cache.obtain(sdk, command, log);
    Files.writeString(sdk.resolve(".git/HEAD"), "moved");
    SdistCache.Sdist second = cache.obtain(sdk, command, log);
    Files.writeString(sdk.resolve("setup.py"), "v2");
    SdistCache.Sdist third = cache.obtain(sdk, command, log);

    assertThat(first.built()).isTrue();
    assertThat(second.built()).as(".git is not source").isFalse();
    assertThat(second.file()).isEqualTo(first.file()).exists();
    assertThat(third.built()).isTrue();
    assertThat(third.file()).isNotEqualTo(first.file());
    assertThat(Files.readAllLines(runs)).hasSize(2);
  }

  @Test
  void aFailingCommandReportsTheLogTailAndLeavesNoSdist() throws Exception {
    Path sdk = Files.createDirectories(dir.resolve("sdk"));
    Path log = dir.resolve("logs/sdist.log");
    SdistCache cache = new SdistCache(dir.resolve("cache"), Duration.ofSeconds(30));

    assertThatThrownBy(
            () ->
                cache.obtain(
                    sdk, "echo building; echo 'error: no pyproject.toml' >&2; exit 4", log))
        .hasMessage(
            "the sdist command exited 4; nothing was built. Last lines of "
                + log
                + ":\nbuilding\nerror: no pyproject.toml");
    assertThatThrownBy(() -> cache.obtain(sdk, "true", log))
        .hasMessageStartingWith(
            "the sdist command left 0 .tar.gz files in {out}, expected exactly one");
    assertThatThrownBy(() -> cache.obtain(dir.resolve("absent"), "true", log))
        .hasMessage(
            "--sdk "
                + dir.resolve("absent")
                + ": no such directory; pass the SDK's source directory");
  }

  @Test
  void theCommandSeesNoCredentialsAndARelativeCacheDirWorks() throws Exception {
    Path sdk = Files.createDirectories(dir.resolve("sdk-env"));
    Files.writeString(sdk.resolve("setup.py"), "v1");
    Path log = dir.resolve("logs/env.log");
    Path relative = Path.of("").toAbsolutePath().relativize(dir.resolve("relative-cache"));
    SdistCache cache =
        new SdistCache(
            relative,
            Duration.ofSeconds(30),
            java.util.Map.of(
                "PATH", System.getenv("PATH"),
                "GITHUB_TOKEN", "ghp_secret1",
                "GH_TOKEN", "ghp_secret2",
                "IMAGEFLEET_REGISTRY_PASSWORD", "hunter2",
                "INPUT_REGISTRY-PASSWORD", "hunter3",
                "ACTIONS_RUNTIME_TOKEN", "rt",
                "SDK_FLAVOUR", "kept"));

    SdistCache.Sdist sdist = cache.obtain(sdk, "env; tar czf {out}/agent-1.tar.gz setup.py", log);

    assertThat(sdist.file()).exists().isAbsolute();
    String seen = Files.readString(log);
    assertThat(seen).contains("SDK_FLAVOUR=kept");
    assertThat(seen).doesNotContain("ghp_secret", "hunter", "ACTIONS_RUNTIME_TOKEN");
  }
}
