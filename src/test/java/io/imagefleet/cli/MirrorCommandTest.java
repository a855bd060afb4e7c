package io.imagefleet.cli;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.junit5.WireMockRuntimeInfo;
import com.github.tomakehurst.wiremock.junit5.WireMockTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** mirror's checks before anything moves, against WireMock standing in for the registries. */
@WireMockTest
class MirrorCommandTest {
  @TempDir Path dir;

  @Test
  void aTargetThatRefusesPushesStopsTheRunBeforeABaseIsRead(WireMockRuntimeInfo wm)
      throws Exception {
    // given a mirror repository that denies uploads, and bases in the same registry
    String host = "localhost:" + wm.getHttpPort();
    wm.getWireMock()
        .register(
            post(urlPathEqualTo("/v2/org/bases/blobs/uploads/"))
                .willReturn(
                    aResponse()
                        .withStatus(403)
                        .withBody("{\"errors\":[{\"code\":\"DENIED\",\"message\":\"no push\"}]}")));
    Path ids = Files.write(dir.resolve("ids.txt"), List.of("a", "b"));

    // when a mirror is asked for
    CliRun run =
        CliRun.run(
            "mirror",
            "--benchmark",
            "custom",
            "--dataset",
            ids.toString(),
            "--base-image-template",
            host + "/src/base:{id}",
            "--to",
            host + "/org/bases",
            "--output",
            dir.toString());

    // then it exits 4 naming the repository, and asked nothing about the bases
    assertThat(run.exitCode()).as(run.err()).isEqualTo(4);
    assertThat(run.err()).contains("mirror: cannot push to " + host + "/org/bases").contains("403");
    wm.getWireMock().verifyThat(0, anyRequestedFor(urlPathMatching("/v2/src/.*")));
    assertThat(dir.resolve("mirror.jsonl")).doesNotExist();
  }

  @Test
  void aDryRunListsEachBaseAndItsTagAndCallsNoRegistry(WireMockRuntimeInfo wm) throws Exception {
    Path ids = Files.write(dir.resolve("ids.txt"), List.of("django__django-11099"));
    CliRun run =
        CliRun.run(
            "mirror",
            "--benchmark",
            "swe-bench",
            "--dataset",
            ids.toString(),
            "--to",
            "localhost:" + wm.getHttpPort() + "/org/bases",
            "--dry-run");
    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out())
        .isEqualTo(
            "docker.io/swebench/sweb.eval.x86_64.django_1776_django-11099:latest ->"
                + " sweb.eval.x86_64.django_1776_django-11099\n");
    wm.getWireMock().verifyThat(0, anyRequestedFor(anyUrl()));
  }

  @Test
  void twoBasesOnOneTagAndAMissingTargetAreBadInput() throws Exception {
    Path data =
        Files.writeString(
            dir.resolve("d.jsonl"),
            "{\"instance_id\":\"a\",\"base_image\":\"x/python:3\"}\n"
                + "{\"instance_id\":\"b\",\"base_image\":\"y/python:3\"}\n");
    CliRun clash =
        CliRun.run("mirror", "--benchmark", "custom", "--dataset", data.toString(), "--to", "r/m");
    assertThat(clash.exitCode()).isEqualTo(2);
    assertThat(clash.err()).contains("both mirror to tag python-3");
    CliRun badHost =
        CliRun.run(
            "mirror",
            "--benchmark",
            "custom",
            "--dataset",
            Files.write(dir.resolve("one.txt"), List.of("a")).toString(),
            "--base-image-template",
            "x/python:3",
            "--to",
            "ex ample.com/m",
            "--output",
            dir.toString());
    assertThat(badHost.exitCode()).as(badHost.err()).isEqualTo(2);
    assertThat(badHost.err()).contains("'ex ample.com/m' names registry");
    CliRun noTarget = CliRun.run("mirror", "--benchmark", "custom", "--dataset", data.toString());
    assertThat(noTarget.exitCode()).isEqualTo(2);
    assertThat(noTarget.err()).contains("--to");
  }
}
