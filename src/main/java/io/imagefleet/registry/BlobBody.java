package io.imagefleet.registry;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpRequest;
import java.util.concurrent.atomic.AtomicLong;

/** A request body and what to close when it has been sent (or not). */
record BlobBody(HttpRequest.BodyPublisher publisher, InputStream stream) implements AutoCloseable {
  static BlobBody of(HttpRequest.BodyPublisher publisher) {
    return new BlobBody(publisher, InputStream.nullInputStream());
  }

  @Override
  public void close() {
    try {
      stream.close();
    } catch (IOException e) {
      // the transfer is over either way
    }
  }

  /** Counts the bytes read through it. */
  static final class Counting extends FilterInputStream {
    private final AtomicLong count;

    Counting(InputStream in, AtomicLong count) {
      super(in);
      this.count = count;
    }

    @Override
    public int read() throws IOException {
      int b = super.read();
      if (b >= 0) {
        count.incrementAndGet();
      }
      return b;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
      int n = super.read(buffer, offset, length);
      if (n > 0) {
        count.addAndGet(n);
      }
      return n;
    }
  }
}
