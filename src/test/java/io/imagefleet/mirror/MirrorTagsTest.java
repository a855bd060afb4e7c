package io.imagefleet.mirror;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.imagefleet.ImagefleetException;
import io.imagefleet.registry.ImageReference;
import io.imagefleet.registry.RepositoryApi;
import java.util.List;
import org.junit.jupiter.api.Test;

class MirrorTagsTest {
  @Test
  void aSweBenchBaseKeepsItsNameSoATemplateCanNameItToo() {
    String base = "docker.io/swebench/sweb.eval.x86_64.django_1776_django-11099:latest";
    assertThat(MirrorTags.tag(base)).isEqualTo("sweb.eval.x86_64.django_1776_django-11099");
    assertThat(MirrorTags.reference(ImageReference.parse("ghcr.io/org/bases"), base))
        .isEqualTo("ghcr.io/org/bases:sweb.eval.x86_64.django_1776_django-11099");
  }

  @Test
  void aTagOtherThanLatestAndAPinnedDigestAreKept() {
    assertThat(MirrorTags.tag("python:3.11-slim")).isEqualTo("python-3.11-slim");
    assertThat(MirrorTags.tag("127.0.0.1:5000/ns/base@sha256:" + "ab".repeat(32)))
        .isEqualTo("base-abababababab");
    assertThat(MirrorTags.tag("ns/base:v1@sha256:" + "cd".repeat(32)))
        .isEqualTo("base-v1-cdcdcdcdcdcd");
  }

  @Test
  void aLongNameIsCutToATagWithAHashOfTheWhole() {
    String a = "ns/" + "a".repeat(120) + ":" + "t".repeat(100) + "1";
    String b = "ns/" + "a".repeat(120) + ":" + "t".repeat(100) + "2";
    assertThat(MirrorTags.tag(a)).hasSize(128).matches(RepositoryApi.TAG);
    assertThat(MirrorTags.tag(a)).isNotEqualTo(MirrorTags.tag(b));
  }

  @Test
  void twoBasesThatWouldShareATagAreRefusedNamingBoth() {
    assertThat(MirrorTags.tags(List.of("a/python:3", "a/python:3", "ruby:3"), "--to x"))
        .containsOnlyKeys("a/python:3", "ruby:3");
    assertThat(
            MirrorTags.tags(
                List.of("python:3", "docker.io/library/python:3", "library/python:3"), "--to x"))
        .containsOnlyKeys("python:3");
    assertThatThrownBy(() -> MirrorTags.tags(List.of("a/python:3", "b/python:3"), "--to x"))
        .isInstanceOf(ImagefleetException.class)
        .hasMessage(
            "--to x: bases a/python:3 and b/python:3 both mirror to tag python-3; mirror them"
                + " into separate repositories (one run each, with --instance-ids)");
  }
}
