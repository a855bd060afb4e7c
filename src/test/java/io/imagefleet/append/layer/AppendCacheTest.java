package io.imagefleet.append.layer;

import static org.assertj.core.api.Assertions.assertThat;

import io.imagefleet.append.dockerfile.AppendPlan;
import io.imagefleet.registry.Digests;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link AppendCache}: a second ask reuses, a broken entry is made again, nothing half-made. */
class AppendCacheTest {
  private static final String KEY = Digests.sha256("inputs".getBytes(StandardCharsets.UTF_8));
  private static final String DOCKERFILE =
      """
      FROM busybox AS builder
      RUN true
      FROM ${BASE_IMAGE}
      COPY --from=builder /opt/agent /opt/agent
      COPY a.py /opt/
      """;

  @TempDir Path dir;
  private final List<String> notes = new ArrayList<>();
  private final AtomicInteger exports = new AtomicInteger();
  private final AtomicInteger layers = new AtomicInteger();
  private AppendCache cache;
  private Path context;

  @BeforeEach
  void cache() throws IOException {
    cache = new AppendCache(dir.resolve("cache/append"), notes::add);
    context = Files.createDirectories(dir.resolve("context"));
    Files.writeString(context.resolve("a.py"), "print('a')\n");
  }

  private void export(Path root) {
    exports.incrementAndGet();
    try {
      Path bin = Files.createDirectories(root.resolve("opt/agent/bin"));
      Files.writeString(bin.resolve("agent"), "#!/bin/sh\necho agent\n");
      Files.createSymbolicLink(root.resolve("opt/agent/start"), Path.of("bin/agent"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private AppendCache.Layer layer(Path root) throws IOException {
    AppendPlan plan = AppendPlan.parse(DOCKERFILE, Optional.empty(), Map.of());
    return cache.layer(
        KEY,
        out -> {
          layers.incrementAndGet();
          return new LayerBuilder(context, s -> root, Optional.of(LayerBuilder.REPRODUCIBLE_MTIME))
              .build(plan, out);
        });
  }

  @Test
  void aSecondAskReusesTheStageAndTheLayer() throws IOException {
    // given a stage export and a layer made once
    AppendCache.Stage first = cache.stage(KEY, this::export);
    AppendCache.Layer firstLayer = layer(first.root());

    // when both are asked for again under the same keys
    AppendCache.Stage second = cache.stage(KEY, this::export);
    AppendCache.Layer secondLayer = layer(second.root());

    // then neither is made again, and the cached ones are the same
    assertThat(first.reused()).isFalse();
    assertThat(firstLayer.reused()).isFalse();
    assertThat(second.reused()).isTrue();
    assertThat(secondLayer.reused()).isTrue();
    assertThat(exports).hasValue(1);
    assertThat(layers).hasValue(1);
    assertThat(second.treeDigest()).isEqualTo(first.treeDigest());
    assertThat(second.root()).isEqualTo(first.root());
    assertThat(Files.readString(second.root().resolve("opt/agent/bin/agent")))
        .contains("echo agent");
    assertThat(secondLayer.layer()).isEqualTo(firstLayer.layer());
    assertThat(secondLayer.layer().file()).startsWith(dir.resolve("cache/append/layers"));
    assertThat(notes).isEmpty();
    try (Stream<Path> left = Files.list(dir.resolve("cache/append/stages"))) {
      assertThat(left.map(p -> p.getFileName().toString())).containsExactly(KEY.substring(7));
    }
  }

  @Test
  void aStageWhoseFilesChangedIsMadeAgain() throws IOException {
    // given a cached export, one of whose files is then changed on disk
    Path root = cache.stage(KEY, this::export).root();
    Files.writeString(root.resolve("opt/agent/bin/agent"), "#!/bin/sh\necho tampered\n");

    // when it is asked for again
    AppendCache.Stage again = cache.stage(KEY, this::export);

    // then the broken entry was said, removed and made again from the export
    assertThat(again.reused()).isFalse();
    assertThat(exports).hasValue(2);
    assertThat(Files.readString(again.root().resolve("opt/agent/bin/agent")))
        .contains("echo agent");
    assertThat(notes).singleElement().asString().contains("is broken").contains("making it again");
  }

  @Test
  void aLayerWhoseBytesChangedIsMadeAgain() throws IOException {
    // given a cached layer whose file lost its tail
    Path root = cache.stage(KEY, this::export).root();
    AgentLayer first = layer(root).layer();
    byte[] bytes = Files.readAllBytes(first.file());
    Files.write(first.file(), java.util.Arrays.copyOf(bytes, bytes.length - 5));

    // when it is asked for again
    AppendCache.Layer again = layer(root);

    // then it is written again, to the same digest
    assertThat(again.reused()).isFalse();
    assertThat(layers).hasValue(2);
    assertThat(again.layer().digest()).isEqualTo(first.digest());
    assertThat(Files.size(again.layer().file())).isEqualTo(first.size());
    assertThat(notes).singleElement().asString().contains("is broken");
  }

  @Test
  void aLayerWithoutItsDescriptionIsMadeAgain() throws IOException {
    // given a cached layer whose layer.json is missing (as after a crash of an older writer)
    Path root = cache.stage(KEY, this::export).root();
    AgentLayer first = layer(root).layer();
    Files.delete(first.file().resolveSibling("layer.json"));

    // when it is asked for again, then it is made again
    assertThat(layer(root).reused()).isFalse();
    assertThat(layers).hasValue(2);
  }

  @Test
  void aFailedExportLeavesNoEntry() throws IOException {
    // given an export that fails half way
    try {
      cache.stage(
          KEY,
          root -> {
            export(root);
            throw new IllegalStateException("daemon went away");
          });
    } catch (IllegalStateException expected) {
      // as the daemon's failure would
    }

    // then nothing, not even the temporary directory, is left; the next ask exports
    try (Stream<Path> left = Files.list(dir.resolve("cache/append/stages"))) {
      assertThat(left).isEmpty();
    }
    assertThat(cache.stage(KEY, this::export).reused()).isFalse();
  }

  @Test
  void theTreeDigestSeesModesAndLinks() throws IOException {
    Path a = Files.createDirectories(dir.resolve("a"));
    export(a);
    String before = AppendCache.treeDigest(a);
    Files.setPosixFilePermissions(
        a.resolve("opt/agent/bin/agent"),
        java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
    String chmodded = AppendCache.treeDigest(a);
    Files.delete(a.resolve("opt/agent/start"));
    Files.createSymbolicLink(a.resolve("opt/agent/start"), Path.of("/bin/agent"));
    assertThat(chmodded).isNotEqualTo(before);
    assertThat(AppendCache.treeDigest(a)).isNotEqualTo(chmodded);
  }
}
