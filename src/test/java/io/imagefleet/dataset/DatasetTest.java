package io.imagefleet.dataset;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.junit5.WireMockRuntimeInfo;
import com.github.tomakehurst.wiremock.junit5.WireMockTest;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import io.imagefleet.ImagefleetException;
import io.imagefleet.InvalidInput;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@WireMockTest
class DatasetTest {
  @TempDir Path dir;

  @Test
  void readsJsonLinesWithOptionalBaseImages() throws IOException {
    Path file =
        Files.writeString(
            dir.resolve("d.jsonl"),
            "{\"instance_id\": \"a__b-1\", \"base_image\": \"r/x:1\"}\n\n{\"instance_id\": \"c__d-2\", \"repo\": \"c/d\"}\n");

    assertThat(DatasetReader.read(file))
        .containsExactly(new Instance("a__b-1", Optional.of("r/x:1")), Instance.of("c__d-2"));
  }

  @Test
  void aMalformedLineNamesTheFileAndLine() throws IOException {
    Path file =
        Files.writeString(
            dir.resolve("d.jsonl"),
            "{\"instance_id\": \"a\"}\n{\"instance_id\": \"b\"}\n{\"instance_id\": \"c\",\n");

    assertThatThrownBy(() -> DatasetReader.read(file))
        .isInstanceOf(ImagefleetException.class)
        .hasMessageStartingWith("--dataset " + file + " line 3: not valid JSON")
        .hasMessageEndingWith("; fix or remove that line")
        .isInstanceOf(InvalidInput.class);
    Path noId =
        Files.writeString(dir.resolve("n.jsonl"), "{\"instance_id\": \"a\"}\n{\"id\": \"b\"}\n");
    assertThatThrownBy(() -> DatasetReader.read(noId))
        .hasMessage(
            "--dataset " + noId + " line 2: no \"instance_id\" string; each record needs one");
  }

  @Test
  void readsJsonArraysAndTextFiles() throws IOException {
    Path array = Files.writeString(dir.resolve("a.json"), "[\"x-1\", {\"instance_id\": \"y-2\"}]");
    Path text = Files.writeString(dir.resolve("ids.txt"), "# ids\nx-1\n\ny-2\n");
    Path bad = Files.writeString(dir.resolve("bad.txt"), "x-1\nnot an id\n");

    assertThat(DatasetReader.read(array)).containsExactly(Instance.of("x-1"), Instance.of("y-2"));
    assertThat(DatasetReader.read(text)).containsExactly(Instance.of("x-1"), Instance.of("y-2"));
    assertThatThrownBy(() -> DatasetReader.read(bad))
        .hasMessage(
            "--dataset "
                + bad
                + " line 2: 'not an id' is not an instance id; a text dataset has one id a line");
  }

  @Test
  void selectionCollapsesDuplicatesFiltersSamplesAndShards() {
    List<Instance> all = new ArrayList<>();
    IntStream.range(0, 100).forEach(i -> all.add(Instance.of(String.format("i-%03d", i))));
    all.add(new Instance("i-005", Optional.of("dup")));

    assertThat(new Selection(Set.of(), 0, 42, Selection.Shard.ALL).apply(all))
        .hasSize(100)
        .contains(Instance.of("i-005"));
    assertThat(new Selection(Set.of("i-007", "i-003"), 0, 42, Selection.Shard.ALL).apply(all))
        .extracting(Instance::id)
        .containsExactly("i-003", "i-007");
    List<Instance> sample = new Selection(Set.of(), 10, 42, Selection.Shard.ALL).apply(all);
    assertThat(sample)
        .hasSize(10)
        .isEqualTo(new Selection(Set.of(), 10, 42, Selection.Shard.ALL).apply(all));
    assertThat(sample).extracting(Instance::id).isSorted();
    assertThat(sample).isNotEqualTo(new Selection(Set.of(), 10, 7, Selection.Shard.ALL).apply(all));
    List<String> union = new ArrayList<>();
    for (int i = 1; i <= 3; i++) {
      union.addAll(
          new Selection(Set.of(), 0, 42, new Selection.Shard(i, 3))
              .apply(all).stream().map(Instance::id).toList());
    }
    assertThat(union).hasSize(100).doesNotHaveDuplicates();
    assertThatThrownBy(() -> new Selection(Set.of("nope"), 0, 42, Selection.Shard.ALL).apply(all))
        .hasMessage("instances not in the dataset: nope; check --instance-ids / --select");
    assertThatThrownBy(() -> Selection.Shard.parse("4/3"))
        .hasMessage("--shard must be i/K with 1 <= i <= K, got '4/3'");
  }

  @Test
  void readsAHuggingFaceDatasetPageByPageRetryingFlaps(WireMockRuntimeInfo wm) {
    for (int offset = 0; offset < 250; offset += 100) {
      StringBuilder rows = new StringBuilder();
      for (int i = offset; i < Math.min(250, offset + 100); i++) {
        rows.append(rows.length() == 0 ? "" : ",")
            .append("{\"row_idx\":")
            .append(i)
            .append(",\"row\":{\"instance_id\":\"r__r-")
            .append(i)
            .append("\"}}");
      }
      String at = Integer.toString(offset);
      java.util.function.Supplier<com.github.tomakehurst.wiremock.client.MappingBuilder> page =
          () -> get(urlPathEqualTo("/rows")).withQueryParam("offset", equalTo(at));
      String body = "{\"rows\":[" + rows + "],\"num_rows_total\":250}";
      if (offset == 100) {
        wm.getWireMock()
            .register(
                page.get()
                    .inScenario("flap")
                    .whenScenarioStateIs(Scenario.STARTED)
                    .willReturn(aResponse().withStatus(503))
                    .willSetStateTo("ok"));
        wm.getWireMock()
            .register(
                page.get().inScenario("flap").whenScenarioStateIs("ok").willReturn(okJson(body)));
      } else {
        wm.getWireMock().register(page.get().willReturn(okJson(body)));
      }
    }

    List<Instance> instances =
        new HuggingFaceRows(wm.getHttpBaseUrl(), Duration.ofMillis(10))
            .read("princeton-nlp/SWE-bench_Verified", "default", "test");

    assertThat(instances)
        .hasSize(250)
        .startsWith(Instance.of("r__r-0"))
        .endsWith(Instance.of("r__r-249"));
    wm.getWireMock()
        .verifyThat(
            4,
            getRequestedFor(urlPathEqualTo("/rows"))
                .withQueryParam("dataset", equalTo("princeton-nlp/SWE-bench_Verified"))
                .withQueryParam("split", equalTo("test")));
  }

  @Test
  void aMissingFileThatLooksLikeAPathIsNoSuchFileAndNeverAskedOfHuggingFace(
      WireMockRuntimeInfo wm) {
    wm.getWireMock().register(get(urlPathEqualTo("/rows")).willReturn(okJson("{\"rows\":[]}")));
    // src/ exists here (the tests run in the project directory), so src/instances is a path.
    for (String dataset :
        List.of(
            "data/swe-bench.jsonl",
            "./instances",
            "../instances",
            "/no/such/instances",
            "src/instances",
            "ids.txt",
            "dataset.json")) {
      assertThatThrownBy(() -> source(dataset, wm.getHttpBaseUrl()).instances())
          .as(dataset)
          .hasMessage(
              "--dataset "
                  + dataset
                  + ": no such file; check the path (relative paths start at "
                  + Path.of("").toAbsolutePath()
                  + ")")
          .isInstanceOf(InvalidInput.class);
    }
    wm.getWireMock().verifyThat(0, getRequestedFor(urlPathEqualTo("/rows")));
  }

  @Test
  void anOwnerSlashNameThatIsNotAPathGoesToHuggingFace(WireMockRuntimeInfo wm) {
    wm.getWireMock()
        .register(
            get(urlPathEqualTo("/rows"))
                .willReturn(
                    okJson(
                        "{\"rows\":[{\"row_idx\":0,\"row\":{\"instance_id\":\"a__b-1\"}}],"
                            + "\"num_rows_total\":1}")));

    assertThat(source("princeton-nlp/SWE-bench_Verified", wm.getHttpBaseUrl()).instances())
        .containsExactly(Instance.of("a__b-1"));
  }

  private static InstanceSource source(String dataset, String endpoint) {
    return new InstanceSource(dataset, "test", endpoint, List.of(), Optional.empty(), 0, 42, "1/1");
  }

  @Test
  void anUnknownHuggingFaceDatasetIsInvalidInput(WireMockRuntimeInfo wm) {
    wm.getWireMock().register(get(urlPathEqualTo("/rows")).willReturn(aResponse().withStatus(404)));

    assertThatThrownBy(
            () ->
                new HuggingFaceRows(wm.getHttpBaseUrl(), Duration.ofMillis(10))
                    .read("no/such", "default", "test"))
        .hasMessage(
            "--dataset no/such (split test): HTTP 404 from localhost; check the dataset id and --split");
  }

  @Test
  void idsAreDataButNotEmptyDotsControlCharactersOrOverlong() {
    for (String fine :
        List.of(
            "django__django-12155",
            "a/b",
            "../x",
            "/abs/x",
            "::error::y",
            "é-ü",
            "x".repeat(200))) {
      assertThat(Instance.problem(fine)).as(fine).isEmpty();
    }
    assertThat(Instance.problem("..")).hasValue("'..' is not allowed");
    assertThat(Instance.problem(".")).hasValue("'.' is not allowed");
    assertThat(Instance.problem(" ")).hasValue("is empty");
    assertThat(Instance.problem("x".repeat(300))).hasValue("is 300 characters long (at most 200)");
    assertThat(Instance.problem("a\nb"))
        .hasValue("contains the control character U+000A at position 2");
    assertThat(Instance.problem("a\u2028b"))
        .hasValue("contains the control character U+2028 at position 2");
    assertThat(Instance.problem("a\u202Eb"))
        .as("a bidi override hides what an id says")
        .hasValue("contains the control character U+202E at position 2");
  }

  @Test
  void aJsonArrayWithAnOverlongIdNamesTheItem() throws IOException {
    Path file =
        Files.writeString(dir.resolve("long.json"), "[\"ok-1\", \"" + "y".repeat(300) + "\"]");

    assertThatThrownBy(() -> DatasetReader.read(file))
        .isInstanceOf(ImagefleetException.class)
        .hasMessage(
            "--dataset "
                + file
                + " item 2: the instance id is 300 characters long (at most 200); fix or remove that line");
  }
}
