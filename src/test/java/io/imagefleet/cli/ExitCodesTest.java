package io.imagefleet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.imagefleet.ImagefleetException;
import io.imagefleet.Incomplete;
import io.imagefleet.LocalFailure;
import io.imagefleet.NotEnoughDisk;
import io.imagefleet.PeerFailure;
import io.imagefleet.docker.StepFailure;
import io.imagefleet.registry.RegistryFailure;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What happened, and the exit code the edge gives it: the one table, as README lists it. */
class ExitCodesTest {
  @Test
  void eachFailureHasItsCode() {
    Map<Throwable, Integer> codes = new LinkedHashMap<>();
    codes.put(ImagefleetException.invalidInput("--workers must be at least 1, got 0"), 2);
    codes.put(new NotEnoughDisk("12 GiB free, 75 GiB required"), 3);
    codes.put(new PeerFailure("cannot reach GitHub at https://api.github.com"), 4);
    codes.put(RegistryFailure.unreachable("check ghcr.io/o/r:t failed: connection refused"), 4);
    codes.put(RegistryFailure.rateLimited("ghcr.io's budget would not allow the call"), 4);
    codes.put(RegistryFailure.failed("push manifest: HTTP 400 digest invalid"), 4);
    codes.put(StepFailure.unreachable("prune failed: connection refused"), 4);
    codes.put(new StepFailure("docker system prune failed: HTTP 500 busy", false), 4);
    codes.put(new Incomplete("3 image(s) failed (allowed: 0)"), 5);
    codes.put(new LocalFailure("cannot store the sdist in /cache: No space left on device"), 1);
    codes.put(new NullPointerException(), 1);
    codes.put(new IllegalStateException("a bug"), 1);

    codes.forEach(
        (failure, code) ->
            assertThat(ExitCodes.of(failure).code()).as(failure.toString()).isEqualTo(code));
    assertThat(new ExitCodes().getExitCode(new Incomplete("stopped early"))).isEqualTo(5);
  }
}
