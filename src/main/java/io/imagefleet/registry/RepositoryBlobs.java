package io.imagefleet.registry;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Which blobs each target repository is known to hold, so a blob crosses once per repository
 * however many images and workers need it: the first asker does the work, the others wait for it. A
 * failure is forgotten, so the next asker tries again.
 */
final class RepositoryBlobs {
  private final ConcurrentHashMap<String, CompletableFuture<Void>> known =
      new ConcurrentHashMap<>();

  /**
   * Runs {@code work} unless it has run (or runs now) for this blob and repository; true when this
   * call ran it.
   */
  boolean once(Repository target, String digest, Runnable work, Deadline deadline) {
    String key = target.apiHost() + "/" + target.name() + "@" + digest;
    while (true) {
      CompletableFuture<Void> mine = new CompletableFuture<>();
      CompletableFuture<Void> theirs = known.putIfAbsent(key, mine);
      if (theirs == null) {
        try {
          work.run();
          mine.complete(null);
          return true;
        } catch (RuntimeException e) {
          known.remove(key, mine);
          mine.completeExceptionally(e);
          throw e;
        }
      }
      try {
        theirs.get(deadline.left().toNanos() + 1, TimeUnit.NANOSECONDS);
        return false;
      } catch (ExecutionException e) {
        // The other asker failed; this one tries itself (the key is free again).
        if (deadline.passed()) {
          throw RegistryFailure.failed(
              "push blob " + digest + " to " + target + " failed: " + e.getCause().getMessage());
        }
      } catch (TimeoutException e) {
        throw RegistryFailure.timedOut(
            "push blob "
                + digest
                + " to "
                + target
                + " timed out waiting for another image's push");
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw RegistryFailure.failed("push blob " + digest + " to " + target + ": interrupted");
      }
    }
  }
}
