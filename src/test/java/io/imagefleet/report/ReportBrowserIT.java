package io.imagefleet.report;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.request;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import io.imagefleet.cli.CliRun;
import io.imagefleet.testing.BuildRig;
import io.imagefleet.testing.HeadlessChromium;
import io.imagefleet.testing.TestRegistry;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * report.html as a person sees it: a real build of 20 images (built, skipped, failed, retried)
 * opened in headless Chromium, which must find one bar per attempt in the right colour, no console
 * error, no request beyond the file, and paint a page that is not blank.
 */
class ReportBrowserIT {
  private static final Map<String, String> COLOURS =
      Map.of(
          "built", "rgb(45, 164, 78)",
          "skipped", "rgb(140, 149, 159)",
          "failed", "rgb(207, 34, 46)",
          "retried", "rgb(212, 167, 44)");
  private static final String BARS =
      "JSON.stringify([...document.querySelectorAll('svg.timeline g.bars rect')].map(r =>"
          + " [r.getAttribute('class'), getComputedStyle(r).fill,"
          + " r.querySelector('title').textContent]))";

  @TempDir static Path dir;
  private static BuildRig rig;

  @BeforeAll
  static void rig() throws Exception {
    rig = BuildRig.create(dir);
    Map<String, String> markers = new LinkedHashMap<>();
    for (int i = 1; i <= 15; i++) {
      markers.put("ok-" + i, "fine " + i);
    }
    markers.put("bad-1", "fail");
    markers.put("bad-2", "fail");
    markers.put("slow-1", "hang");
    markers.put("flaky-1", "fine flaky");
    markers.put("flaky-2", "fine flaky");
    rig.pushBases(markers);
  }

  @Test
  void aRealBuildsReportOpensInChromiumWithOneBarPerAttempt() throws Exception {
    List<String> ids = new ArrayList<>(rigIds());
    // Three images exist before the run: it skips them.
    Path early = Files.write(dir.resolve("early.txt"), ids.subList(0, 3));
    CliRun first = build(early, dir.resolve("early"), rig.image());
    assertThat(first.exitCode()).as(first.err()).isZero();
    Path output = dir.resolve("out");
    WireMockServer proxy = lyingRegistry();
    try {
      CliRun run =
          build(
              Files.write(dir.resolve("ids.txt"), ids),
              output,
              "127.0.0.1:" + proxy.port() + "/" + rig.namespace + "/agent");
      assertThat(run.exitCode()).as(run.err()).isEqualTo(5);
    } finally {
      proxy.stop();
    }
    List<ImageRecord> records = Shard.read(output).records();
    assertThat(records).hasSize(20);
    assertThat(records.stream().filter(r -> r.is("skipped"))).hasSize(3);
    assertThat(records.stream().filter(r -> r.is("failed"))).hasSize(3);
    assertThat(records.stream().filter(r -> r.attempts() == 2).map(ImageRecord::instance))
        .contains("slow-1", "flaky-1");

    JsonNode bars = inChromium(output.resolve(Reports.FILE), "build");

    List<Timeline.Bar> expected = records.stream().flatMap(r -> Timeline.bars(r).stream()).toList();
    assertThat(bars).hasSize(expected.size());
    assertMatches(bars, expected);
    // The build records every attempt's start: each of the 20 images has at least one bar.
    assertThat(expected).hasSizeGreaterThanOrEqualTo(20);
    assertThat(expected)
        .extracting(Timeline.Bar::kind)
        .contains("built", "skipped", "failed", "retried");
    assertThat(Files.readString(output.resolve(Reports.FILE))).doesNotContain("no start time");
    Path remade = dir.resolve("remade");
    assertThat(CliRun.run("report", output.toString(), "--output", remade.toString()).exitCode())
        .isZero();
    assertThat(Files.readString(remade.resolve(Reports.FILE)))
        .as("imagefleet report re-makes the build's file")
        .isEqualTo(Files.readString(output.resolve(Reports.FILE)));
  }

  @Test
  void everyKindOfBarHasItsColourAndTitleInChromium() throws Exception {
    Path output = Fixtures.sample(dir.resolve("fixture"));
    assertThat(CliRun.run("report", output.toString()).exitCode()).isZero();

    JsonNode bars = inChromium(output.resolve(Reports.FILE), "fixture");

    List<Timeline.Bar> expected =
        Shard.read(output).records().stream().flatMap(r -> Timeline.bars(r).stream()).toList();
    assertThat(bars).hasSize(7);
    assertMatches(bars, expected);
    assertThat(bars)
        .extracting(b -> b.get(0).asText())
        .containsOnlyOnce("skipped")
        .contains("built", "failed", "retried");
  }

  @Test
  void phasesBytesAndTheComparisonPaintInTheirColoursInChromium() throws Exception {
    Path old = Fixtures.phased(dir.resolve("compare/old"), 60, 1.0, 0, 100.0);
    Path now = Fixtures.phased(dir.resolve("compare/new"), 60, 1.0, 5, 200.0);
    assertThat(CliRun.run("report", now.toString(), "--compare", old.toString()).exitCode())
        .isZero();

    JsonNode rects =
        inChromium(
            now.resolve(Reports.FILE),
            "compare",
            "JSON.stringify([...document.querySelectorAll('svg.phases rect')].map(r =>"
                + " [r.getAttribute('class'), getComputedStyle(r).fill]).concat("
                + "[...document.querySelectorAll('tr.worse td:first-child')].map(td =>"
                + " ['worse', getComputedStyle(td).backgroundColor])))");

    Map<String, Integer> kinds = new HashMap<>();
    Map<String, String> fills =
        Map.of(
            "ph-build", "rgb(45, 164, 78)",
            "ph-push", "rgb(191, 57, 137)",
            "worse", "rgb(255, 235, 233)");
    for (JsonNode rect : rects) {
      String kind = rect.get(0).asText();
      assertThat(rect.get(1).asText()).as("colour of " + kind).isEqualTo(fills.get(kind));
      kinds.merge(kind, 1, Integer::sum);
    }
    // The run's bar and 51 image bars (50 images and the others' mean), each of build and push.
    assertThat(kinds).containsEntry("ph-build", 52).containsEntry("ph-push", 52);
    // images/h −50%, p50 +17%, build's total and p50 +17%; p90 grew 9%, push not at all.
    assertThat(kinds.get("worse")).isEqualTo(4);
  }

  /** Opens the report; no errors, no request but the file, a painted page; returns its bars. */
  private static JsonNode inChromium(Path report, String name) throws Exception {
    return inChromium(report, name, BARS);
  }

  /** As {@link #inChromium(Path, String)}, returning what {@code expression} (JSON text) says. */
  private static JsonNode inChromium(Path report, String name, String expression) throws Exception {
    try (HeadlessChromium chromium = HeadlessChromium.start(dir.resolve("profile-" + name))) {
      chromium.open(report);
      JsonNode bars =
          new com.fasterxml.jackson.databind.ObjectMapper()
              .readTree(chromium.evaluate(expression).asText());
      assertThat(
              chromium
                  .evaluate("document.querySelectorAll('script, img, link, iframe').length")
                  .asInt())
          .isZero();
      Path shot = chromium.screenshot(Path.of("target/report-" + name + ".png"));
      assertThat(chromium.errors()).as("console errors").isEmpty();
      assertThat(chromium.requests()).as("requests").containsExactly(report.toUri().toString());
      assertNotBlank(shot);
      return bars;
    }
  }

  private static void assertMatches(JsonNode bars, List<Timeline.Bar> expected) {
    Map<String, Integer> want = new HashMap<>();
    expected.forEach(b -> want.merge(b.kind() + "\n" + b.title(), 1, Integer::sum));
    Map<String, Integer> got = new HashMap<>();
    for (JsonNode bar : bars) {
      String kind = bar.get(0).asText();
      assertThat(bar.get(1).asText()).as("fill of a " + kind + " bar").isEqualTo(COLOURS.get(kind));
      got.merge(kind + "\n" + bar.get(2).asText(), 1, Integer::sum);
    }
    assertThat(got).isEqualTo(want);
  }

  /** More than a few colours, none covering nearly everything: the page painted something. */
  private static void assertNotBlank(Path png) throws Exception {
    BufferedImage image = ImageIO.read(png.toFile());
    Map<Integer, Integer> colours = new HashMap<>();
    for (int y = 0; y < image.getHeight(); y += 3) {
      for (int x = 0; x < image.getWidth(); x += 3) {
        colours.merge(image.getRGB(x, y), 1, Integer::sum);
      }
    }
    int total = colours.values().stream().mapToInt(Integer::intValue).sum();
    int commonest = colours.values().stream().mapToInt(Integer::intValue).max().orElse(0);
    assertThat(colours.size()).as("colours in " + png).isGreaterThan(8);
    assertThat(commonest)
        .as("pixels of the commonest colour in " + png)
        .isLessThan(total * 98 / 100);
  }

  private static List<String> rigIds() {
    List<String> ids = new ArrayList<>();
    for (int i = 1; i <= 15; i++) {
      ids.add("ok-" + i);
    }
    ids.addAll(List.of("bad-1", "bad-2", "slow-1", "flaky-1", "flaky-2"));
    return ids;
  }

  /**
   * A proxy to the registry that, once per flaky image, says right after the push that the tag is
   * missing: the build retries that image as a new attempt.
   */
  private static WireMockServer lyingRegistry() {
    WireMockServer proxy = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
    proxy.start();
    proxy.stubFor(
        any(anyUrl())
            .atPriority(10)
            .willReturn(aResponse().proxiedFrom("http://" + TestRegistry.HOST)));
    String scenario = "lie about flaky-1";
    proxy.stubFor(
        request("HEAD", urlPathMatching("/v2/.*/agent/manifests/.*-flaky-1"))
            .atPriority(1)
            .inScenario(scenario)
            .whenScenarioStateIs(Scenario.STARTED)
            .willReturn(aResponse().proxiedFrom("http://" + TestRegistry.HOST))
            .willSetStateTo("checked"));
    proxy.stubFor(
        request("HEAD", urlPathMatching("/v2/.*/agent/manifests/.*-flaky-1"))
            .atPriority(1)
            .inScenario(scenario)
            .whenScenarioStateIs("checked")
            .willReturn(aResponse().withStatus(404))
            .willSetStateTo("lied"));
    return proxy;
  }

  private static CliRun build(Path ids, Path output, String image) {
    List<String> args = rig.buildArgs(ids, output);
    args.set(args.indexOf("--image") + 1, image);
    args.addAll(
        List.of(
            "--min-free-gb",
            "0",
            "--workers",
            "4",
            "--max-failures",
            "0",
            "--image-timeout",
            "25s",
            "--max-retries",
            "1",
            "--retry-backoff",
            "1s"));
    return CliRun.run(Map.of(), args.toArray(String[]::new));
  }
}
