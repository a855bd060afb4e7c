package io.imagefleet.build;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.imagefleet.dataset.Instance;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ImageTagsTest {
  private static final String SHA = "0123456789abcdef0123456789abcdef01234567";
  private static final String VALID = "[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}";

  @Test
  void sweBenchBaseImagesFollowTheHubNaming() {
    BaseImageRule rule = new BaseImageRule("swe-bench", Optional.empty());

    assertThat(rule.baseImage(Instance.of("django__django-12155")))
        .isEqualTo("docker.io/swebench/sweb.eval.x86_64.django_1776_django-12155:latest");
    assertThat(rule.baseImage(new Instance("x__y-1", Optional.of("ghcr.io/o/base:7"))))
        .isEqualTo("ghcr.io/o/base:7");
    assertThat(
            new BaseImageRule("custom", Optional.of("reg/{id}:v1"))
                .baseImage(Instance.of("Astropy__Astropy-1")))
        .isEqualTo("reg/astropy_1776_astropy-1:v1");
  }

  @Test
  void aCustomBenchmarkNeedsATemplate() {
    assertThatThrownBy(() -> new BaseImageRule("custom", Optional.empty()))
        .hasMessage(
            "--benchmark custom needs --base-image-template (or a base_image field in every dataset record)");
    assertThatThrownBy(() -> new BaseImageRule("swe-bench", Optional.of("reg/base:latest")))
        .hasMessage("--base-image-template must contain {id}, got 'reg/base:latest'");
  }

  @Test
  void theTagIsSdkSevenCustomAndTarget() {
    String base = "docker.io/swebench/sweb.eval.x86_64.django_1776_django-12155:latest";

    assertThat(ImageTags.tag(SHA, "agent", base))
        .isEqualTo("0123456-sweb.eval.x86_64.django_1776_django-12155-agent");
    assertThat(ImageTags.tag(SHA, "", base))
        .isEqualTo("0123456-sweb.eval.x86_64.django_1776_django-12155");
    assertThat(ImageTags.tag(SHA, "", "127.0.0.1:5000/ns/bases:inst-1"))
        .isEqualTo("0123456-bases-inst-1");
  }

  @Test
  void aLongTagIsShortenedDeterministicallyWithAHash() {
    String base = "reg.example/" + "very-long-component-".repeat(10) + "end:latest";

    String tag = ImageTags.tag(SHA, "agent", base);

    assertThat(tag).hasSize(128).matches(VALID).isEqualTo(ImageTags.tag(SHA, "agent", base));
    assertThat(tag).isNotEqualTo(ImageTags.tag(SHA, "agent", base.replace("end:", "End:")));
  }

  @Test
  void twoInstancesNeverShareATag() {
    Map<String, String> bases = new LinkedHashMap<>();
    bases.put("a", "reg/one/bases:latest");
    bases.put("b", "reg/two/bases:latest");
    String long1 = "reg/" + "x".repeat(140) + "1";
    String long2 = "reg/" + "x".repeat(140) + "2";
    bases.put("c", long1);
    bases.put("d", long2);
    for (int i = 0; i < 500; i++) {
      bases.put("i" + i, "docker.io/swebench/sweb.eval.x86_64.repo_1776_repo-" + i + ":latest");
    }

    Map<String, String> tags = ImageTags.plan(SHA, "agent", bases);

    Set<String> unique = new HashSet<>(tags.values());
    assertThat(unique).hasSize(bases.size());
    assertThat(tags.values()).allSatisfy(t -> assertThat(t).matches(VALID));
    assertThat(tags.get("a")).startsWith("0123456-bases-agent-").isNotEqualTo(tags.get("b"));
  }
}
