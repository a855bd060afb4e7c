package io.imagefleet.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import io.imagefleet.cli.CliRun;
import io.imagefleet.testing.BuildRig;
import io.imagefleet.testing.ChallengingRegistry;
import io.imagefleet.testing.TestRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The push login belongs to the --image registry. A dataset's bases live on a stranger's registry
 * (a second loopback port that demands a token and logs every header): in a whole build, with
 * either builder, not one request there carries the push secret; the build still gets its bases
 * through the stranger's own anonymous token flow.
 */
class TrustBoundaryIT {
  private static final String USER = "pushbot";
  private static final String SECRET = "push-s3cret-never-elsewhere";
  private static final Map<String, String> LOGIN =
      Map.of("IMAGEFLEET_REGISTRY_USERNAME", USER, "IMAGEFLEET_REGISTRY_PASSWORD", SECRET);

  @TempDir static Path dir;
  private static BuildRig rig;
  private static ChallengingRegistry stranger;

  @BeforeAll
  static void rig() throws Exception {
    rig = BuildRig.create(dir);
    rig.pushBases(Map.of("tb-1", "base one", "tb-2", "base two"));
    Files.write(dir.resolve("ids.txt"), List.of("tb-1", "tb-2"));
    stranger = ChallengingRegistry.start(TestRegistry.HOST);
  }

  @AfterAll
  static void stop() {
    stranger.close();
  }

  @ParameterizedTest
  @ValueSource(strings = {"append", "engine"})
  void noBuilderShowsTheStrangerThePushSecret(String builder) throws Exception {
    Path copyOnly =
        Files.writeString(
            dir.resolve(builder + ".Dockerfile"),
            "ARG BASE_IMAGE\nFROM ${BASE_IMAGE}\nARG SDIST\nCOPY ${SDIST} /opt/agent/\n");

    CliRun run = build(copyOnly, builder, "-" + builder);

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertNoSecretReachedTheStranger();
  }

  private static void assertNoSecretReachedTheStranger() {
    String basic =
        Base64.getEncoder().encodeToString((USER + ":" + SECRET).getBytes(StandardCharsets.UTF_8));
    List<String> seen = stranger.seen();
    // it was asked: existence checks, token requests, manifests and blobs went there
    assertThat(seen).anyMatch(line -> line.startsWith("GET /token"));
    assertThat(seen).anyMatch(line -> line.contains("/manifests/"));
    assertThat(seen).noneMatch(line -> line.contains(basic) || line.contains(SECRET));
    assertThat(seen).noneMatch(line -> line.contains("Authorization: Basic"));
  }

  private static CliRun build(Path dockerfile, String builder, String suffix) {
    List<String> args = rig.buildArgs(dir.resolve("ids.txt"), dir.resolve("out" + suffix));
    set(args, "--base-image-template", stranger.host() + "/" + rig.namespace + "/bases:{id}");
    set(args, "--dockerfile", dockerfile.toString());
    set(args, "--builder", builder);
    set(args, "--image", rig.image() + suffix);
    args.addAll(List.of("--min-free-gb", "0", "--workers", "2"));
    return CliRun.run(LOGIN, args.toArray(String[]::new));
  }

  private static void set(List<String> args, String option, String value) {
    args.set(args.indexOf(option) + 1, value);
  }
}
