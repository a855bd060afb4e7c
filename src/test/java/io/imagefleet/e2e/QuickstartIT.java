package io.imagefleet.e2e;

import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.junit5.WireMockRuntimeInfo;
import com.github.tomakehurst.wiremock.junit5.WireMockTest;
import io.imagefleet.testing.Actionlint;
import io.imagefleet.testing.TestDocker;
import io.imagefleet.testing.TestRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * README.md's quickstart, read from the README (a changed block changes what runs) and run as a
 * newcomer runs it. The first sh block runs as written, in a fresh copy of the checkout next to a
 * fresh SDK checkout ({@code ../agent-sdk}), with two stated differences: bash runs it as a script
 * under {@code set -euo pipefail} with {@code expand_aliases} (an interactive shell expands the
 * alias on its own), and {@code DEMO_DIR} keeps the demo's files in the test's directory. The
 * second block needs Hugging Face, Docker Hub, ghcr.io and PyPI, which this machine doesn't reach:
 * its {@code docker run registry:2} is left out (the rig's registry already listens on
 * 127.0.0.1:5000) and its build line runs as written plus {@code --dry-run --hf-endpoint URL} (a
 * local stand-in serving SWE-bench_Verified rows), so the command must parse and plan.
 */
@WireMockTest
class QuickstartIT {
  private static final Pattern SH_BLOCK = Pattern.compile("(?ms)^```sh\\n(.*?)^```$");

  @Test
  void theLocalTryOutRunsAsWrittenAndItsWorkflowLints(@TempDir Path home) throws Exception {
    TestDocker.daemon().close();
    TestRegistry.require();
    Actionlint.require();
    String block = quickstartBlocks().get(0);
    assertThat(block).contains("bash .ci/demo").contains("imagefleet generate swe-bench");
    Path checkout = copyOfTheCheckout(home.resolve("imagefleet"));
    Path sdk = gitCheckout(home.resolve("agent-sdk"));
    Path demo = home.resolve("demo");
    Path script =
        Files.writeString(
            home.resolve("quickstart.sh"),
            "set -euo pipefail\nshopt -s expand_aliases\n" + block,
            StandardCharsets.UTF_8);

    Run run = bash(script, checkout, Map.of("DEMO_DIR", demo.toString()), 20);

    assertThat(run.exitCode()).as(run.output()).isZero();
    assertThat(run.output())
        .contains("Report (open in a browser): " + demo.resolve("out/report.html"))
        .doesNotContain("```mermaid");
    assertThat(Files.readAllLines(demo.resolve("out/manifest.jsonl")))
        .hasSize(5)
        .allSatisfy(line -> assertThat(line).contains("\"status\":\"built\""));
    assertThat(Files.readAllLines(demo.resolve("check/check.jsonl"))).hasSize(5);
    assertThat(checkout.resolve("target/imagefleet.jar")).isRegularFile();
    Path workflow = sdk.resolve(".github/workflows/swe-bench.yml");
    assertThat(Files.readString(workflow)).contains("uses: OWNER/imagefleet@v1");
    Actionlint.Lint lint = Actionlint.lint(List.of(workflow));
    assertThat(lint.output()).endsWith("actionlint: 1 file(s), 0 finding(s)\n");
    assertThat(lint.exitCode()).isZero();
  }

  @Test
  void theRealBuildIsPlannedAsWritten(WireMockRuntimeInfo huggingFace, @TempDir Path home)
      throws Exception {
    TestRegistry.require();
    List<String> lines =
        quickstartBlocks().get(1).lines().map(l -> l.replaceAll("\\s+#.*", "").strip()).toList();
    assertThat(lines).hasSize(2);
    assertThat(lines.get(0)).isEqualTo("docker run -d -p 127.0.0.1:5000:5000 registry:2");
    assertThat(lines.get(1)).startsWith("imagefleet build ").doesNotContain("\"", "'", "$");
    huggingFace
        .getWireMock()
        .register(get(urlPathEqualTo("/rows")).willReturn(okJson(swebenchVerifiedRows())));
    Path sdk = gitCheckout(home.resolve("agent-sdk"));
    List<String> command =
        new ArrayList<>(List.of("java", "-jar", System.getProperty("imagefleet.jar")));
    command.addAll(Arrays.asList(lines.get(1).substring("imagefleet ".length()).split(" +")));
    command.addAll(List.of("--dry-run", "--hf-endpoint", huggingFace.getHttpBaseUrl()));

    Process process =
        new ProcessBuilder(command)
            .directory(sdk.toFile())
            .redirectError(home.resolve("err.txt").toFile())
            .start();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(2, TimeUnit.MINUTES)).isTrue();

    assertThat(process.exitValue()).as(Files.readString(home.resolve("err.txt"))).isZero();
    List<String> planned = out.lines().skip(1).map(l -> l.split("\t")).map(f -> f[1]).toList();
    assertThat(planned)
        .hasSize(2)
        .isSubsetOf(
            "docker.io/swebench/sweb.eval.x86_64.astropy_1776_astropy-12907:latest",
            "docker.io/swebench/sweb.eval.x86_64.django_1776_django-11099:latest",
            "docker.io/swebench/sweb.eval.x86_64.sympy_1776_sympy-20590:latest");
    assertThat(out.lines().skip(1))
        .allSatisfy(l -> assertThat(l.split("\t")[2]).startsWith("127.0.0.1:5000/swe-agent:"));
    huggingFace
        .getWireMock()
        .verifyThat(
            getRequestedFor(urlPathEqualTo("/rows"))
                .withQueryParam("dataset", equalTo("princeton-nlp/SWE-bench_Verified"))
                .withQueryParam("split", equalTo("test")));
  }

  /** The sh blocks of README.md's section "## Quickstart", in order. */
  static List<String> quickstartBlocks() throws IOException {
    String readme = Files.readString(Path.of("README.md"));
    int start = readme.indexOf("\n## Quickstart\n");
    int end = readme.indexOf("\n## ", start + 1);
    assertThat(start).as("README.md has a ## Quickstart section").isPositive();
    Matcher blocks = SH_BLOCK.matcher(readme.substring(start, end));
    List<String> found = new ArrayList<>();
    while (blocks.find()) {
      found.add(blocks.group(1));
    }
    assertThat(found).hasSize(2);
    return found;
  }

  /** Three rows of SWE-bench_Verified as the datasets-server rows API serves them. */
  private static String swebenchVerifiedRows() {
    String[][] rows = {
      {"astropy__astropy-12907", "astropy/astropy", "d16bfe05a744909de4b27f5875fe0d4ed41ce607"},
      {"django__django-11099", "django/django", "d26b2424437dabeeca94d7900b37d2df4410da0c"},
      {"sympy__sympy-20590", "sympy/sympy", "cffd4e0f86fefd4802349a9f9b19ed70934ea354"}
    };
    StringBuilder json = new StringBuilder("{\"rows\":[");
    for (int i = 0; i < rows.length; i++) {
      json.append(i == 0 ? "" : ",")
          .append("{\"row_idx\":")
          .append(i)
          .append(",\"row\":{\"instance_id\":\"")
          .append(rows[i][0])
          .append("\",\"repo\":\"")
          .append(rows[i][1])
          .append("\",\"base_commit\":\"")
          .append(rows[i][2])
          .append("\",\"version\":\"\"}}");
    }
    return json.append("],\"num_rows_total\":3}").toString();
  }

  /** The files git knows here (tracked, or new and not ignored), copied: a fresh checkout. */
  private static Path copyOfTheCheckout(Path to) throws Exception {
    Process ls =
        new ProcessBuilder("git", "ls-files", "-z", "--cached", "--others", "--exclude-standard")
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
    String listing = new String(ls.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(ls.waitFor()).isZero();
    for (String name : listing.split("\0")) {
      Path from = Path.of(name);
      if (!name.isEmpty() && Files.isRegularFile(from)) {
        Files.createDirectories(to.resolve(name).getParent());
        Files.copy(from, to.resolve(name), StandardCopyOption.COPY_ATTRIBUTES);
      }
    }
    return to;
  }

  /** A one-commit git checkout, as an agent SDK is. */
  private static Path gitCheckout(Path dir) throws Exception {
    Files.createDirectories(dir);
    Files.writeString(
        dir.resolve("pyproject.toml"), "[project]\nname = \"agent\"\nversion = \"0.1\"\n");
    Path script =
        Files.writeString(
            dir.resolveSibling("git-init.sh"),
            "git init -q && git add . && git -c user.email=t@imagefleet -c user.name=t commit -qm sdk\n");
    assertThat(bash(script, dir, Map.of(), 1).exitCode()).isZero();
    return dir;
  }

  record Run(int exitCode, String output) {}

  private static Run bash(Path script, Path dir, Map<String, String> env, int minutes)
      throws Exception {
    Path log = Files.createTempFile(script.getParent(), "bash", ".log");
    ProcessBuilder builder =
        new ProcessBuilder("bash", script.toString())
            .directory(dir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
    builder.environment().putAll(env);
    Process process = builder.start();
    if (!process.waitFor(minutes, TimeUnit.MINUTES)) {
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly();
      throw new AssertionError(script + " did not finish in " + minutes + " min: " + read(log));
    }
    return new Run(process.exitValue(), read(log));
  }

  private static String read(Path file) throws IOException {
    return Files.readString(file, StandardCharsets.UTF_8);
  }
}
