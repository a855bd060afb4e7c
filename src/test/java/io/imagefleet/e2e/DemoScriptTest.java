package io.imagefleet.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The demo installs what a run needs, not the tests' tools (Chromium, skopeo, umoci, actionlint,
 * mermaid); QuickstartIT runs it and checks what it prints.
 */
class DemoScriptTest {
  @Test
  void theDemoStartsTheEngineAndRegistryOnly() throws IOException {
    String demo = Files.readString(Path.of(".ci/demo"));
    String rig = Files.readString(Path.of(".ci/rig.sh"));

    assertThat(demo).contains("source .ci/rig.sh").containsPattern("(?m)^rig_engine$");
    assertThat(demo)
        .doesNotContain("rig_up")
        .doesNotContain("install_test_packages")
        .doesNotContain("install_node_tools")
        .doesNotContain("npm ");
    String engine = body(rig, "rig_engine");
    assertThat(engine).contains("install_packages").contains("start_dockerd");
    assertThat(engine).doesNotContain("install_test_packages").doesNotContain("install_node_tools");
    assertThat(body(rig, "install_packages")).doesNotContain("chromium").doesNotContain("skopeo");
  }

  private static String body(String script, String function) {
    Matcher m = Pattern.compile("(?ms)^" + function + "\\(\\) \\{\\n(.*?)^\\}").matcher(script);
    assertThat(m.find()).as(function + " in .ci/rig.sh").isTrue();
    return m.group(1);
  }
}
