package io.imagefleet.registry;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

/**
 * A response body read into memory up to a cap: past it the read stops and the exchange fails, so
 * an endless answer from a registry costs {@code cap} bytes, not the heap.
 */
public final class BoundedBody implements HttpResponse.BodySubscriber<byte[]> {
  /** Manifests and indexes (the distribution spec's own suggested limit is 4 MiB). */
  public static final int MANIFEST = 4 << 20;

  /** Image configs: a base with a long history has a large one. */
  public static final int CONFIG = 8 << 20;

  /** Token responses and error bodies. */
  public static final int SMALL = 64 << 10;

  /** The body was longer than allowed. */
  public static final class TooLarge extends IOException {
    final int cap;

    TooLarge(int cap) {
      super("more than " + size(cap));
      this.cap = cap;
    }
  }

  private final int cap;
  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
  private final CompletableFuture<byte[]> result = new CompletableFuture<>();
  private Flow.Subscription subscription;

  private BoundedBody(int cap) {
    this.cap = cap;
  }

  /** A handler that reads at most {@code cap} bytes of any body. */
  public static HttpResponse.BodyHandler<byte[]> upTo(int cap) {
    return info -> new BoundedBody(cap);
  }

  @Override
  public CompletionStage<byte[]> getBody() {
    return result;
  }

  @Override
  public void onSubscribe(Flow.Subscription subscription) {
    this.subscription = subscription;
    subscription.request(Long.MAX_VALUE);
  }

  @Override
  public void onNext(List<ByteBuffer> items) {
    if (result.isDone()) {
      return;
    }
    for (ByteBuffer item : items) {
      if (bytes.size() + (long) item.remaining() > cap) {
        subscription.cancel();
        result.completeExceptionally(new TooLarge(cap));
        return;
      }
      byte[] chunk = new byte[item.remaining()];
      item.get(chunk);
      bytes.write(chunk, 0, chunk.length);
    }
  }

  @Override
  public void onError(Throwable error) {
    result.completeExceptionally(error);
  }

  @Override
  public void onComplete() {
    result.complete(bytes.toByteArray());
  }

  static String size(int bytes) {
    return bytes >= 1 << 20 ? (bytes >> 20) + " MiB" : (bytes >> 10) + " KiB";
  }
}
