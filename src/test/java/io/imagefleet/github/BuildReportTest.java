package io.imagefleet.github;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class BuildReportTest {

  @Test
  void theMarkerCannotCloseEarlyAndTheTagPatternCannotLeaveItsCodeElement() {
    String body =
        BuildReport.comment(
            "swe --><img src=x>", "ghcr.io/a/b:`x`|y</code>[z](u)", "| ok |\n", Optional.empty());

    assertThat(body)
        .isEqualTo(
            "<!-- imagefleet:swe --&gt;&lt;img src=x&gt; -->\n| ok |\n\n"
                + "Image tags: <code>ghcr.io/a/b:&#96;x&#96;&#124;y&lt;/code&gt;&#91;z&#93;(u)</code>\n");
    assertThat(BuildReport.marker("swe --><img src=x>"))
        .isEqualTo("<!-- imagefleet:swe --&gt;&lt;img src=x&gt; -->");
  }
}
