package io.imagefleet.append.layer;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.Test;

class OwnedParentsTest {
  private final OwnedParents parents =
      new OwnedParents(
          new AgentLayer(
              Path.of("layer.tar.gz"),
              "sha256:0",
              "sha256:0",
              0,
              List.of(
                  chain(0, "/opt", "/opt/plain"),
                  chain(1234, "/opt", "/opt/plain", "/opt/plain/owned", "/opt/plain/owned/deep"),
                  chain(7, "/srv", "/srv/existing"))));

  private static AgentLayer.ParentChain chain(int owner, String... directories) {
    return new AgentLayer.ParentChain(List.of(directories), owner, owner == 1234 ? 2345 : owner);
  }

  @Test
  void looksUpEveryDirectoryOnTheWayOfAnOwnedCopy() {
    assertThat(parents.lookups())
        .containsExactly(
            "/opt",
            "/opt/plain",
            "/opt/plain/owned",
            "/opt/plain/owned/deep",
            "/srv",
            "/srv/existing");
  }

  @Test
  void givesTheOwnerToWhatAnOwnedCopyIsFirstToCreateAndLeavesTheRest() throws IOException {
    // given a base with /opt and /srv/existing, and an earlier plain COPY that makes /opt/plain
    Optional<OwnedParents.Layer> layer = parents.layer(Set.of("/opt", "/srv", "/srv/existing"));

    // then only the owned copy's new directories are in the layer, 0755 and owned
    assertThat(entries(layer.orElseThrow()))
        .containsExactly("opt/plain/owned/ 755 1234:2345", "opt/plain/owned/deep/ 755 1234:2345");
  }

  @Test
  void addsNoLayerWhenTheBaseHasThemAll() {
    assertThat(parents.layer(parents.lookups())).isEmpty();
  }

  private static List<String> entries(OwnedParents.Layer layer) throws IOException {
    List<String> entries = new ArrayList<>();
    try (TarArchiveInputStream tar =
        new TarArchiveInputStream(new GZIPInputStream(new ByteArrayInputStream(layer.bytes())))) {
      for (TarArchiveEntry e; (e = tar.getNextTarEntry()) != null; ) {
        entries.add(
            e.getName()
                + " "
                + Integer.toOctalString(e.getMode() & 07777)
                + " "
                + e.getLongUserId()
                + ":"
                + e.getLongGroupId());
      }
    }
    return entries;
  }
}
