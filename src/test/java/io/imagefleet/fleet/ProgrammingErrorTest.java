package io.imagefleet.fleet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.imagefleet.actions.ActionsEnvironment;
import io.imagefleet.actions.StepFiles;
import io.imagefleet.append.dockerfile.PhasedPlan;
import io.imagefleet.docker.CacheMode;
import io.imagefleet.docker.StepFailure;
import io.imagefleet.registry.Credentials;
import io.imagefleet.registry.ImageReference;
import io.imagefleet.registry.InsecureRegistries;
import io.imagefleet.registry.RegistryClient;
import io.imagefleet.sdist.SdistCache;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A programming error is not an image's failure: it leaves the builder as itself, ends the run, and
 * the report is still written (the edge then exits 1, see EnvironmentFailureTest).
 */
class ProgrammingErrorTest {
  private static final Duration HOUR = Duration.ofHours(1);

  @Test
  void appendLetsAProgrammingErrorThroughAsItself() {
    // given an assembler that isn't there: assembling dereferences null
    AppendImageBuilder append =
        new AppendImageBuilder(null, null, Optional.empty(), Map.of(), Instant.EPOCH);
    ImageJob job =
        new ImageJob(
            "i-0",
            "base:0",
            ImageReference.parse("127.0.0.1:5000/fleet:i-0"),
            Path.of("."),
            Path.of("Dockerfile"),
            "",
            Map.of(),
            null,
            true,
            CacheMode.OFF,
            List.of());

    assertThatThrownBy(() -> append.build(job, Path.of("log"), HOUR))
        .isInstanceOf(NullPointerException.class)
        .isNotInstanceOf(StepFailure.class);
  }

  @Test
  void phasedLetsAProgrammingErrorInKeyingThroughAsItself() {
    // given no registry client to ask for the base's digest: asking dereferences null
    PhasedImageBuilder.EnvKeys keys =
        new PhasedImageBuilder.EnvKeys(
            PhasedPlan.split(
                "ARG BASE_IMAGE\nFROM ${BASE_IMAGE}\nRUN echo env\nARG SDIST\nCOPY ${SDIST} /a/\n",
                Optional.empty(),
                Map.of("SDIST", "agent.tar.gz")),
            Map.of("SDIST", "agent.tar.gz"),
            "sha256:" + "a".repeat(64),
            "linux/amd64",
            null);

    assertThatThrownBy(
            () ->
                keys.envImage(
                    ImageReference.parse("127.0.0.1:5000/ns/agent:x"), "127.0.0.1:5000/ns/bases:1"))
        .isInstanceOf(NullPointerException.class);
  }

  @Test
  void aProgrammingErrorEndsTheRunWithTheReportWritten(@TempDir Path dir) throws Exception {
    try (SchedulerRig rig = new SchedulerRig(dir)) {
      BuildSettings settings = rig.settings(1, 10, HOUR, 0);
      ImageBuilder broken =
          new ImageBuilder() {
            @Override
            public Optional<String> build(ImageJob job, Path log, Duration timeout) {
              throw new NullPointerException("a bug");
            }

            @Override
            public BuilderType type() {
              return BuilderTypes.ENGINE;
            }
          };
      ActionsEnvironment env = new ActionsEnvironment(Map.of());
      BuildRunner runner =
          new BuildRunner(
              settings,
              new RegistryClient(
                  Credentials.none(), InsecureRegistries.none(), 1, Duration.ofMillis(1)),
              new PrintWriter(new StringWriter()),
              new PrintWriter(new StringWriter()),
              new StepFiles(env),
              BuildAudience.of(env, false));
      BuildInputs inputs =
          new BuildInputs(
              rig.plan(2),
              Set.of(),
              new SdistCache.Sdist(dir.resolve("sdk-1.0.tar.gz"), false),
              "0123456789",
              false);

      assertThatThrownBy(
              () ->
                  runner.build(
                      inputs,
                      new BuildTools(broken, Optional.empty(), Optional.empty(), Health.NONE)))
          .isInstanceOf(NullPointerException.class)
          .hasMessage("a bug");

      JsonNode summary = Manifest.JSON.readTree(dir.resolve("out/summary.json").toFile());
      assertThat(summary.path("stoppedEarly").asText()).isEqualTo("error");
      assertThat(dir.resolve("out/report.html")).isRegularFile();
      assertThat(Files.readString(dir.resolve("out/summary.md"))).contains("error");
    }
  }
}
