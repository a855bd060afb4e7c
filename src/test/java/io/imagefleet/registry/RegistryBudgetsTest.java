package io.imagefleet.registry;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.head;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.imagefleet.ImagefleetException;
import io.imagefleet.InvalidInput;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The per-registry budget every caller of the transport shares, against WireMock on loopback. */
class RegistryBudgetsTest {
  WireMockServer registry;
  String host;
  Repository repository;

  @BeforeEach
  void start() {
    registry =
        new WireMockServer(WireMockConfiguration.options().dynamicPort().bindAddress("127.0.0.1"));
    registry.start();
    host = "127.0.0.1:" + registry.port();
    repository = new Repository(host, host, "ns/agent");
    registry.stubFor(get(anyUrl()).atPriority(9).willReturn(aResponse().withStatus(200)));
    registry.stubFor(head(anyUrl()).atPriority(9).willReturn(aResponse().withStatus(200)));
  }

  @AfterEach
  void stop() {
    registry.stop();
  }

  private RegistryTransport transport(RegistryBudgets budgets) {
    return new RegistryTransport(
        Credentials.none(), InsecureRegistries.none(), budgets, 3, Duration.ofMillis(200));
  }

  private RegistryCall call(String method, String path) {
    return RegistryCall.of(
        method + " " + path + " of " + repository,
        method,
        repository.uri(path),
        RegistryCall.Scope.pull(repository),
        Set.of(200));
  }

  private static HttpResponse<Void> send(RegistryTransport t, RegistryCall call, Duration within) {
    return t.send(call, HttpResponse.BodyHandlers.discarding(), Deadline.after(within));
  }

  @Test
  void requestsFromManyWorkersArePacedAtTheRateWithinTenPercent() throws Exception {
    // given 600 requests a minute (10/s) for this registry and 4 workers sending 31 requests
    RegistryBudgets budgets =
        new RegistryBudgets(Map.of(), Set.of()).configure(List.of(new RegistryRate(host, 600)));
    RegistryTransport transport = transport(budgets);
    ExecutorService workers = Executors.newFixedThreadPool(4);
    long start = System.nanoTime();
    try {
      List<Future<?>> sent = new ArrayList<>();
      for (int i = 0; i < 31; i++) {
        String path = "manifests/t" + i;
        sent.add(workers.submit(() -> send(transport, call("HEAD", path), Duration.ofMinutes(1))));
      }
      for (Future<?> f : sent) {
        f.get();
      }
    } finally {
      workers.shutdown();
    }
    double seconds = (System.nanoTime() - start) / 1e9;

    // then 30 intervals of 0.1 s: 3 s, within 10%
    assertThat(seconds).isBetween(2.7, 3.3);
    assertThat(budgets.usage().hosts())
        .singleElement()
        .satisfies(
            u -> {
              assertThat(u.requests()).isEqualTo(31);
              assertThat(u.rateLimited()).isZero();
              assertThat(u.secondsWaited()).isGreaterThan(2.0);
            });
  }

  @Test
  void aRateLimitAnswerPausesTheRegistryForEveryCallerNotOnlyTheOneThatGotIt() throws Exception {
    // given a registry that answers the first caller's request 429 with Retry-After: 2
    registry.stubFor(
        get(urlPathEqualTo("/v2/ns/agent/manifests/first"))
            .inScenario("limit")
            .whenScenarioStateIs(Scenario.STARTED)
            .willReturn(aResponse().withStatus(429).withHeader("Retry-After", "2"))
            .willSetStateTo("over"));
    RegistryBudgets budgets = new RegistryBudgets(Map.of(), Set.of());
    RegistryTransport transport = transport(budgets);

    // when the first caller gets its 429, a second starts a request the registry would answer
    CompletableFuture<HttpResponse<Void>> first =
        CompletableFuture.supplyAsync(
            () -> send(transport, call("GET", "manifests/first"), Duration.ofMinutes(1)));
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (registry.getAllServeEvents().isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    Thread.sleep(100);
    long secondStart = System.nanoTime();
    HttpResponse<Void> second =
        send(transport, call("GET", "manifests/second"), Duration.ofMinutes(1));
    double secondSeconds = (System.nanoTime() - secondStart) / 1e9;

    // then the second waited out the pause although only the first got the 429; both got through
    assertThat(second.statusCode()).isEqualTo(200);
    assertThat(first.get().statusCode()).isEqualTo(200);
    assertThat(secondSeconds).isGreaterThan(1.5);
    List<LoggedRequest> seen =
        registry.findAll(
            com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor(
                urlPathEqualTo("/v2/ns/agent/manifests/second")));
    assertThat(seen).hasSize(1);
    assertThat(budgets.usage().hosts())
        .singleElement()
        .satisfies(
            u -> {
              assertThat(u.requests()).isEqualTo(3);
              assertThat(u.rateLimited()).isEqualTo(1);
              assertThat(u.secondsWaited()).isGreaterThan(3.0);
            });
  }

  @Test
  void retryAfterIsHonouredAndA403SecondaryRateLimitIsOneToo() {
    // given a 403 "secondary rate limit" with Retry-After: 1, then a 429 without one, then 200
    registry.stubFor(
        get(anyUrl())
            .inScenario("limit")
            .whenScenarioStateIs(Scenario.STARTED)
            .willReturn(
                aResponse()
                    .withStatus(403)
                    .withHeader("Retry-After", "1")
                    .withBody("You have exceeded a secondary rate limit."))
            .willSetStateTo("again"));
    registry.stubFor(
        get(anyUrl())
            .inScenario("limit")
            .whenScenarioStateIs("again")
            .willReturn(aResponse().withStatus(429))
            .willSetStateTo("ok"));
    RegistryBudgets budgets = new RegistryBudgets(Map.of(), Set.of());

    // when one call is sent (3 attempts allowed, so rate limits don't use them up)
    long start = System.nanoTime();
    HttpResponse<Void> response =
        send(transport(budgets), call("GET", "manifests/t"), Duration.ofMinutes(1));

    // then it waited Retry-After's second, then the backoff (0.2 s), and got through
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat((System.nanoTime() - start) / 1e9).isBetween(1.15, 2.5);
    assertThat(budgets.usage().hosts().get(0).rateLimited()).isEqualTo(2);
  }

  @Test
  void aWaitPastTheDeadlineFailsTheCallAsRateLimitedNamingTheRegistry() {
    // given a registry that asks for 30 s and a call with 2 s to go
    registry.stubFor(
        get(anyUrl()).willReturn(aResponse().withStatus(429).withHeader("Retry-After", "30")));
    RegistryTransport transport = transport(new RegistryBudgets(Map.of(), Set.of()));
    long start = System.nanoTime();

    // then it fails at once, as rate-limited, naming the registry
    assertThatThrownBy(() -> send(transport, call("GET", "manifests/t"), Duration.ofSeconds(2)))
        .isInstanceOfSatisfying(RegistryFailure.class, f -> assertThat(f.rateLimited()).isTrue())
        .hasMessageStartingWith(
            "GET manifests/t of " + repository + " failed: rate-limited by " + host + ": ")
        .hasMessageContaining("a wait of 30 s, past the deadline");
    assertThat((System.nanoTime() - start) / 1e9).isLessThan(1.5);
  }

  @Test
  void dockerHubsHeadersPaceManifestGetsButNotHeads() {
    // given a registry paced by its headers that says: 2 pulls per 2 s, none left
    registry.stubFor(
        get(anyUrl())
            .willReturn(
                aResponse()
                    .withStatus(200)
                    .withHeader("ratelimit-limit", "2;w=2")
                    .withHeader("ratelimit-remaining", "0;w=2")));
    RegistryBudgets budgets = new RegistryBudgets(Map.of(), Set.of(host));
    RegistryTransport transport = transport(budgets);
    send(transport, call("GET", "manifests/a"), Duration.ofMinutes(1));

    // when a HEAD, then a manifest GET follow
    long start = System.nanoTime();
    send(transport, call("HEAD", "manifests/a"), Duration.ofMinutes(1));
    double head = (System.nanoTime() - start) / 1e9;
    send(transport, call("GET", "manifests/b"), Duration.ofMinutes(1));
    double get = (System.nanoTime() - start) / 1e9;

    // then the HEAD went at once, the GET waited window/limit (1 s)
    assertThat(head).isLessThan(0.5);
    assertThat(get).isBetween(0.85, 1.5);
  }

  @Test
  void aBaseThatMayBeAbsentCostsNoPullWhereManifestGetsArePaced() {
    // given a registry paced by its headers with no pulls left, and a base it doesn't have
    registry.stubFor(
        get(anyUrl())
            .willReturn(
                aResponse()
                    .withStatus(200)
                    .withHeader("ratelimit-limit", "2;w=2")
                    .withHeader("ratelimit-remaining", "0;w=2")));
    registry.stubFor(
        get(urlPathEqualTo("/v2/ns/agent/manifests/absent"))
            .willReturn(aResponse().withStatus(404)));
    registry.stubFor(
        head(urlPathEqualTo("/v2/ns/agent/manifests/absent"))
            .willReturn(aResponse().withStatus(404)));
    RegistryTransport transport = transport(new RegistryBudgets(Map.of(), Set.of(host)));
    send(transport, call("GET", "manifests/a"), Duration.ofMinutes(1));

    // when it is looked for ({arch} bases, a platform's pin)
    long start = System.nanoTime();
    Optional<RegistrySession.Manifest> found =
        new RegistrySession(transport)
            .findManifest(repository, "absent", Deadline.after(Duration.ofMinutes(1)));

    // then a HEAD says so at once: no pull waited for (Docker Hub counts GETs, not HEADs)
    assertThat(found).isEmpty();
    assertThat((System.nanoTime() - start) / 1e9).isLessThan(0.5);
    registry.verify(0, getRequestedFor(urlPathEqualTo("/v2/ns/agent/manifests/absent")));
  }

  @Test
  void dockerHubsPullsLeftGoAtOnce() {
    registry.stubFor(
        get(anyUrl())
            .willReturn(
                aResponse()
                    .withStatus(200)
                    .withHeader("ratelimit-limit", "100;w=21600")
                    .withHeader("ratelimit-remaining", "76;w=21600")));
    RegistryTransport transport = transport(new RegistryBudgets(Map.of(), Set.of(host)));
    long start = System.nanoTime();
    for (int i = 0; i < 5; i++) {
      send(transport, call("GET", "manifests/t" + i), Duration.ofMinutes(1));
    }
    assertThat((System.nanoTime() - start) / 1e9).isLessThan(2.0);
  }

  @Test
  void theRateIsParsedAsHostPortPerMinuteAndAnythingElseExitsTwoNamingTheOption() {
    assertThat(RegistryRate.parse("ghcr.io=1500/min")).isEqualTo(new RegistryRate("ghcr.io", 1500));
    assertThat(RegistryRate.parse("127.0.0.1:5000=0/min"))
        .isEqualTo(new RegistryRate("127.0.0.1:5000", 0));
    assertThat(RegistryRate.parse("Registry-1.Docker.IO=10/min").host()).isEqualTo("docker.io");
    for (String bad : List.of("ghcr.io", "ghcr.io=1500", "ghcr.io=-1/min", "=5/min", "a b=1/min")) {
      assertThatThrownBy(() -> RegistryRate.parse(bad))
          .isInstanceOfSatisfying(
              ImagefleetException.class, e -> assertThat(e).isInstanceOf(InvalidInput.class))
          .hasMessageStartingWith(
              "--registry-rate must be HOST[:PORT]=N/min such as ghcr.io=1500/min (0/min for"
                  + " unlimited), got '");
    }
  }

  @Test
  void publishedDefaults() {
    RegistryBudgets budgets = new RegistryBudgets();
    assertThat(budgets.perMinute("ghcr.io")).contains(1500L);
    assertThat(budgets.perMinute("quay.io")).isEmpty();
    assertThat(budgets.pacesManifests("docker.io")).isTrue();
    assertThat(budgets.pacesManifests("registry-1.docker.io")).isTrue();
    budgets.configure(
        List.of(RegistryRate.parse("docker.io=0/min"), RegistryRate.parse("ghcr.io=0/min")));
    assertThat(budgets.pacesManifests("docker.io")).isFalse();
    assertThat(budgets.perMinute("ghcr.io")).isEmpty();
  }
}
