package io.imagefleet;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import org.junit.jupiter.api.Test;

class OriginTest {
  @Test
  void theSchemeHostAndEffectivePortMakeTheOrigin() {
    URI api = URI.create("https://api.github.com");

    assertThat(Origin.same(api, URI.create("https://API.github.com:443/orgs/o?page=2"))).isTrue();
    assertThat(Origin.same(api, URI.create("http://api.github.com:443/orgs/o"))).isFalse();
    assertThat(Origin.same(api, URI.create("http://api.github.com/orgs/o"))).isFalse();
    assertThat(Origin.same(api, URI.create("https://api.github.com:8443/orgs/o"))).isFalse();
    assertThat(Origin.same(api, URI.create("https://api.github.com.evil.example/"))).isFalse();
    assertThat(Origin.same(api, URI.create("/orgs/o"))).isFalse();
    assertThat(Origin.of(URI.create("http://ghe.example"))).hasToString("http://ghe.example:80");
  }
}
