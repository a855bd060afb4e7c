package io.imagefleet.append;

import java.util.concurrent.atomic.AtomicLong;

/** What crossed the network, over all images of a run. */
final class Traffic {
  final AtomicLong present = new AtomicLong();
  final AtomicLong mounted = new AtomicLong();
  final AtomicLong streamed = new AtomicLong();
  final AtomicLong streamedBytes = new AtomicLong();
  final AtomicLong uploaded = new AtomicLong();
  final AtomicLong uploadedBytes = new AtomicLong();
  final AtomicLong images = new AtomicLong();

  AppendAssembler.Stats snapshot() {
    return new AppendAssembler.Stats(
        present.get(),
        mounted.get(),
        streamed.get(),
        streamedBytes.get(),
        uploaded.get(),
        uploadedBytes.get(),
        images.get());
  }
}
