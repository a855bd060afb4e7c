package io.imagefleet.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import io.imagefleet.Benchmark;
import io.imagefleet.dataset.Instance;
import io.imagefleet.registry.ImageReference;
import io.imagefleet.registry.Platform;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ImageTagsTest {
  private static final String SHA = "0123456789abcdef0123456789abcdef01234567";
  private static final String VALID = "[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}";

  @Test
  void sweBenchBaseImagesFollowTheHubNaming() {
    BaseImageRule rule = new BaseImageRule(Benchmark.SWE_BENCH, Optional.empty());

    assertThat(rule.baseImage(Instance.of("django__django-12155")))
        .hasValue("docker.io/swebench/sweb.eval.x86_64.django_1776_django-12155:latest");
    assertThat(rule.baseImage(new Instance("x__y-1", Optional.of("ghcr.io/o/base:7"))))
        .hasValue("ghcr.io/o/base:7");
    assertThat(
            new BaseImageRule(Benchmark.CUSTOM, Optional.of("reg/{id}:v1"))
                .baseImage(Instance.of("Astropy__Astropy-1")))
        .hasValue("reg/astropy_1776_astropy-1:v1");
  }

  @Test
  void theSweBenchRuleNamesEachPlatformsBaseByArch() {
    BaseImageRule arm =
        new BaseImageRule(Benchmark.SWE_BENCH, Optional.empty())
            .forPlatforms(Platform.parseList("linux/arm64"));
    BaseImageRule both =
        new BaseImageRule(Benchmark.SWE_BENCH, Optional.empty())
            .forPlatforms(Platform.parseList("linux/amd64,linux/arm64"));
    Instance django = Instance.of("django__django-12155");

    // one platform: {arch} filled in
    assertThat(arm.baseImage(django))
        .hasValue("docker.io/swebench/sweb.eval.arm64.django_1776_django-12155:latest");
    // two: the planned base keeps {arch}; each platform's base fills it in
    String planned = both.baseImage(django).orElseThrow();
    assertThat(planned)
        .isEqualTo("docker.io/swebench/sweb.eval.{arch}.django_1776_django-12155:latest");
    assertThat(BaseImageRule.problem(planned)).isEmpty();
    assertThat(both.platformBase(planned, Platform.parse("linux/amd64")))
        .isEqualTo("docker.io/swebench/sweb.eval.x86_64.django_1776_django-12155:latest");
    assertThat(both.platformBase(planned, Platform.parse("linux/arm64")))
        .isEqualTo("docker.io/swebench/sweb.eval.arm64.django_1776_django-12155:latest");
    // the tag is the first platform's: the same as a one-platform amd64 run's
    assertThat(
            BuildPlanner.plan(List.of(django), both, ImageReference.parse("ghcr.io/o/a"), SHA, "")
                .get(0)
                .image()
                .tag())
        .isEqualTo("0123456-sweb.eval.x86_64.django_1776_django-12155");
    // under --base-mirror, each platform's base is the mirror's copy of it
    BaseImageRule mirrored = both.mirroredIn(Optional.of(ImageReference.parse("ghcr.io/o/bases")));
    assertThat(
            mirrored.platformBase(
                mirrored.baseImage(django).orElseThrow(), Platform.parse("linux/arm64")))
        .isEqualTo("ghcr.io/o/bases:sweb.eval.arm64.django_1776_django-12155");
  }

  @Test
  void aCustomBenchmarkTakesBasesFromTheRecordsOrATemplate() {
    BaseImageRule custom = new BaseImageRule(Benchmark.CUSTOM, Optional.empty());
    assertThat(custom.baseImage(new Instance("a", Optional.of("reg/base:1"))))
        .hasValue("reg/base:1");
    assertThat(custom.baseImage(Instance.of("a"))).isEmpty();
    assertThat(
            new BaseImageRule(Benchmark.SWE_BENCH, Optional.of("reg/base:latest"))
                .baseImage(Instance.of("x")))
        .as("a template without {id} is one base for every instance")
        .hasValue("reg/base:latest");
  }

  @Test
  void baseReferencesDockerWouldRefuseAreNamed() {
    for (String good :
        List.of(
            "busybox",
            "ghcr.io/o/r:1",
            "127.0.0.1:5000/ns/bases:ok-1",
            "docker.io/swebench/sweb.eval.x86_64.django_1776_django-12155:latest",
            "reg/x@sha256:" + "a".repeat(64))) {
      assertThat(BaseImageRule.problem(good)).as(good).isEmpty();
    }
    for (String bad :
        List.of("reg/Base:1", "reg/base:1 --evil", "reg/base:1\n", "-x", "reg/base:", "a b")) {
      assertThat(BaseImageRule.problem(bad))
          .as(bad)
          .hasValue(
              "'"
                  + bad
                  + "' is not a valid image reference ([host/]name[:tag][@digest], name in lower case)");
    }
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
