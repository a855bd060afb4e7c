package io.imagefleet.append.dockerfile;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class FoldedRunTest {
  private static Optional<FoldedRun> parse(String run) {
    return FoldedRun.parse(Dockerfile.parse(run).instructions().get(0), Optional.of("/work"));
  }

  @Test
  void theKnownFormsJoinedByAndAreFolded() {
    FoldedRun run =
        parse(
                "RUN chmod +x /usr/local/bin/agent && chown -R 1000:1000 /opt/agent"
                    + " && mkdir -p /opt/agent/cache rel && ln -sf /opt/agent/bin/agent /usr/bin/a")
            .orElseThrow();

    assertThat(run.ops())
        .containsExactly(
            new FoldedRun.Chmod("+x", false, List.of("/usr/local/bin/agent")),
            new FoldedRun.Chown(1000, Optional.of(1000), true, List.of("/opt/agent")),
            new FoldedRun.Mkdir(List.of("/opt/agent/cache", "/work/rel")),
            new FoldedRun.Symlink("/opt/agent/bin/agent", "/usr/bin/a", true));
  }

  @Test
  void anythingElseIsNotFolded() {
    for (String run :
        List.of(
            "RUN chmod +x $AGENT",
            "RUN chmod +x /a; rm -rf /",
            "RUN chmod +x /a || true",
            "RUN chown agent /opt/agent",
            "RUN mkdir /opt/x",
            "RUN ln /a /b",
            "RUN chmod 755 /opt/*",
            "RUN [\"chmod\", \"+x\", \"/a\"]",
            "RUN --mount=type=cache,target=/c chmod +x /a",
            "RUN chmod +x /a > /dev/null",
            "RUN chmod -v +x /a",
            "RUN apt-get install -y tmux",
            "RUN chmod +x \"/a b\"")) {
      assertThat(parse(run)).as(run).isEmpty();
    }
  }

  @Test
  void symbolicModesChangeOnlyTheirBits() {
    assertThat(new FoldedRun.Chmod("+x", false, List.of()).apply(0644, false)).isEqualTo(0755);
    assertThat(new FoldedRun.Chmod("go-w", false, List.of()).apply(0777, false)).isEqualTo(0755);
    assertThat(new FoldedRun.Chmod("u=rwx", false, List.of()).apply(0644, false)).isEqualTo(0744);
    assertThat(new FoldedRun.Chmod("0750", false, List.of()).apply(0644, false)).isEqualTo(0750);
  }
}
