package io.imagefleet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;

/**
 * A release tag's action.yml runs the published image: .github/release/pin-action-image, which the
 * release workflow runs, changes {@code runs.image} and nothing else; main keeps the Dockerfile.
 */
class ReleaseTagTest {
  private static final Path SCRIPT = Path.of(".github/release/pin-action-image");
  private static final Path RELEASE = Path.of(".github/workflows/release.yml");

  @Test
  void theTagsActionYmlRunsThePublishedImageAndNothingElseChanges(@TempDir Path dir)
      throws Exception {
    Path actionYml = Files.copy(Path.of("action.yml"), dir.resolve("action.yml"));

    Run run = pin("ghcr.io/acme/imagefleet:1.2.3", actionYml);

    assertThat(run.code()).as(run.output()).isZero();
    List<String> before = Files.readAllLines(Path.of("action.yml"));
    List<String> after = Files.readAllLines(actionYml);
    List<String> changed = new ArrayList<>();
    for (int i = 0; i < before.size(); i++) {
      if (!before.get(i).equals(after.get(i))) {
        changed.add(before.get(i) + " -> " + after.get(i));
      }
    }
    assertThat(after).hasSameSizeAs(before);
    assertThat(changed)
        .containsExactly("  image: Dockerfile ->   image: docker://ghcr.io/acme/imagefleet:1.2.3");
    assertThat(runs(actionYml)).containsEntry("image", "docker://ghcr.io/acme/imagefleet:1.2.3");
    assertThat(runs(Path.of("action.yml"))).containsEntry("image", "Dockerfile");
  }

  @Test
  void anActionYmlThatNoLongerBuildsTheDockerfileIsRefused(@TempDir Path dir) throws Exception {
    Path actionYml = dir.resolve("action.yml");
    Files.writeString(actionYml, "runs:\n  using: docker\n  image: docker://elsewhere:1\n");

    Run run = pin("ghcr.io/acme/imagefleet:1.2.3", actionYml);

    assertThat(run.code()).isEqualTo(2);
    assertThat(run.output()).contains("has no 'image: Dockerfile'");
    assertThat(Files.readString(actionYml)).contains("docker://elsewhere:1");
  }

  @Test
  void aReferenceThatIsNotAnImageIsRefused(@TempDir Path dir) throws Exception {
    Path actionYml = Files.copy(Path.of("action.yml"), dir.resolve("action.yml"));

    Run run = pin("ghcr.io/Acme/x:1|rm -rf", actionYml);

    assertThat(run.code()).isEqualTo(2);
    assertThat(Files.readString(actionYml)).isEqualTo(Files.readString(Path.of("action.yml")));
  }

  @Test
  void theReleaseWorkflowPublishesOnAVTagAndPinsTheTagsActionYml() throws IOException {
    Map<String, Object> release = new Yaml().load(Files.readString(RELEASE));
    String text = Files.readString(RELEASE);

    @SuppressWarnings("unchecked")
    Map<String, Object> on = (Map<String, Object>) release.get(Boolean.TRUE);
    assertThat(on).containsKey("push");
    assertThat(String.valueOf(on.get("push"))).contains("tags=[v*]");
    assertThat(text)
        .contains("ghcr.io/${owner}/imagefleet")
        .contains(".github/release/pin-action-image \"$IMAGE\"")
        .contains("git push --force origin \"refs/tags/$TAG\"");
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> runs(Path actionYml) throws IOException {
    Map<String, Object> action = new Yaml().load(Files.readString(actionYml));
    return (Map<String, Object>) action.get("runs");
  }

  private record Run(int code, String output) {}

  private static Run pin(String image, Path actionYml) throws Exception {
    Process process =
        new ProcessBuilder("bash", SCRIPT.toString(), image, actionYml.toString())
            .redirectErrorStream(true)
            .start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    return new Run(process.waitFor(), output);
  }
}
