package io.imagefleet.sdist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.imagefleet.ImagefleetException;
import io.imagefleet.InvalidInput;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
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
  void theCommandSeesOnlyTheAllowListAndTheNamesPassedAndARelativeCacheDirWorks() throws Exception {
    // given an environment full of credentials, one variable passed by name and one not
    Path sdk = Files.createDirectories(dir.resolve("sdk-env"));
    Files.writeString(sdk.resolve("setup.py"), "v1");
    Path log = dir.resolve("logs/env.log");
    Path relative = Path.of("").toAbsolutePath().relativize(dir.resolve("relative-cache"));
    Map<String, String> environment = new HashMap<>();
    environment.put("PATH", System.getenv("PATH"));
    environment.put("HOME", "/home/builder");
    environment.put("LC_ALL", "C.UTF-8");
    environment.put("UV_INDEX_URL", "https://pypi.example/simple");
    environment.put("PIP_EXTRA_INDEX_URL", "https://mirror.example/simple");
    environment.put("PYTHONDONTWRITEBYTECODE", "1");
    environment.put("https_proxy", "http://proxy.example:3128");
    environment.put("SOURCE_DATE_EPOCH", "1700000000");
    environment.put("GITHUB_TOKEN", "ghp_secret1");
    environment.put("GH_TOKEN", "ghp_secret2");
    environment.put("REGISTRY_TOKEN", "secret3");
    environment.put("IMAGEFLEET_REGISTRY_PASSWORD", "hunter2");
    environment.put("INPUT_REGISTRY-PASSWORD", "hunter3");
    environment.put("ACTIONS_RUNTIME_TOKEN", "rt");
    environment.put("UV_PUBLISH_TOKEN_ENV", "secret4");
    environment.put("SDK_FLAVOUR", "passed");
    environment.put("FOO", "secret5");
    SdistCache cache =
        new SdistCache(
            relative,
            Duration.ofSeconds(30),
            environment,
            new SdistEnvironment(List.of("SDK_FLAVOUR"), "UV_PUBLISH_TOKEN_ENV"));

    // when the command prints its environment
    SdistCache.Sdist sdist = cache.obtain(sdk, "env; tar czf {out}/agent-1.tar.gz setup.py", log);

    // then it saw the allow-list and SDK_FLAVOUR, and nothing else; --token-env's variable never
    assertThat(sdist.file()).exists().isAbsolute();
    Set<String> seen =
        Files.readAllLines(log).stream()
            .filter(line -> line.contains("="))
            .map(line -> line.substring(0, line.indexOf('=')))
            .collect(Collectors.toSet());
    assertThat(seen)
        .contains(
            "PATH",
            "HOME",
            "LC_ALL",
            "UV_INDEX_URL",
            "PIP_EXTRA_INDEX_URL",
            "PYTHONDONTWRITEBYTECODE",
            "https_proxy",
            "SOURCE_DATE_EPOCH",
            "SDK_FLAVOUR")
        .doesNotContain(
            "GITHUB_TOKEN",
            "GH_TOKEN",
            "REGISTRY_TOKEN",
            "IMAGEFLEET_REGISTRY_PASSWORD",
            "INPUT_REGISTRY-PASSWORD",
            "ACTIONS_RUNTIME_TOKEN",
            "UV_PUBLISH_TOKEN_ENV",
            "FOO");
    assertThat(Files.readString(log)).doesNotContain("secret", "hunter");
  }

  @Test
  void aPassedNameMustBeAVariableNameAndNeverTheTokenVariable() {
    assertThatThrownBy(() -> new SdistEnvironment(List.of("FOO", "1FOO"), "GITHUB_TOKEN"))
        .isInstanceOf(ImagefleetException.class)
        .isInstanceOf(InvalidInput.class)
        .hasMessage(
            "--sdist-env 1FOO: not an environment variable name; use letters, digits and _,"
                + " not starting with a digit");
    assertThatThrownBy(() -> new SdistEnvironment(List.of("FOO=bar"), "GITHUB_TOKEN"))
        .hasMessageStartingWith("--sdist-env FOO=bar: not an environment variable name");
    assertThatThrownBy(() -> new SdistEnvironment(List.of("MY_TOKEN"), "MY_TOKEN"))
        .isInstanceOf(ImagefleetException.class)
        .isInstanceOf(InvalidInput.class)
        .hasMessage(
            "--sdist-env MY_TOKEN: that is --token-env's variable, which the sdist command never"
                + " sees; drop it from --sdist-env");
    assertThatThrownBy(
            () -> new SdistEnvironment(List.of("IMAGEFLEET_REGISTRY_PASSWORD"), "GITHUB_TOKEN"))
        .hasMessage(
            "--sdist-env IMAGEFLEET_REGISTRY_PASSWORD: imagefleet's own credentials never reach"
                + " the sdist command; drop it from --sdist-env");
  }
}
