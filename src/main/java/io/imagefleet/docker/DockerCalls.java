package io.imagefleet.docker;

import com.github.dockerjava.api.exception.DockerException;
import java.io.Closeable;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * The one place a docker-java failure becomes a {@link StepFailure}: an HTTP error names its
 * status, a dead socket is {@code unreachable}, a stream past its timeout is cancelled.
 */
final class DockerCalls {
  private DockerCalls() {}

  /** Runs one docker-java call; any failure leaves as a {@link StepFailure} naming the action. */
  static <T> T call(String action, Supplier<T> work) {
    try {
      return work.get();
    } catch (RuntimeException e) {
      throw failure(action, e);
    }
  }

  static StepFailure failure(String action, Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof StepFailure failure) {
        return failure;
      }
      if (t instanceof DockerException docker) {
        return new StepFailure(
            action + " failed: HTTP " + docker.getHttpStatus() + " " + rootMessage(docker), false);
      }
      if (t instanceof IOException) {
        return StepFailure.unreachable(action + " failed: " + rootMessage(t));
      }
    }
    return new StepFailure(action + " failed: " + rootMessage(e), false);
  }

  /** Waits for a streaming call; past the timeout closes it, which makes the daemon cancel it. */
  static <T> T awaitOrCancel(Closeable callback, Duration timeout, String what, Callable<T> await) {
    ExecutorService waiter =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "imagefleet-" + what + "-wait");
              t.setDaemon(true);
              return t;
            });
    try {
      Future<T> result = waiter.submit(await);
      return result.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      closeQuietly(callback);
      throw new StepFailure(
          what + " timed out after " + timeout.toSeconds() + " s and was cancelled", true);
    } catch (ExecutionException e) {
      throw failure(what, e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      closeQuietly(callback);
      throw new StepFailure(what + " interrupted", false);
    } finally {
      waiter.shutdownNow();
    }
  }

  static void closeQuietly(Closeable closeable) {
    try {
      closeable.close();
    } catch (IOException e) {
      // The stream is being abandoned; a failure to close it changes nothing.
    }
  }

  /** The first line of the innermost cause's message. */
  static String rootMessage(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String message = root.getMessage();
    return message == null
        ? root.getClass().getSimpleName()
        : message.lines().findFirst().orElse("").strip();
  }
}
