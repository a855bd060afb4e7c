package io.imagefleet.registry;

import io.imagefleet.Backoff;
import io.imagefleet.ImageMeter;
import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * Makes blobs present in target repositories, each at most once per repository in a run however
 * many images and workers need it: mounted within a registry, streamed registry to registry (never
 * touching disk), or uploaded. Shared by append, phased and mirror; counts what moved, over the run
 * and for the image the calling thread works on ({@link ImageMeter#onThisThread}).
 */
public final class BlobCopier {
  /** Bodies up to this size go up in one POST. */
  static final int ONE_REQUEST = 1 << 20;

  private static final Pattern CLIENT_ERROR = Pattern.compile("HTTP 4(?!29)\\d\\d");

  private final RegistrySession session;
  private final int attempts;
  private final Duration backoff;
  private final RepositoryBlobs crossings = new RepositoryBlobs();
  private final AtomicLong present = new AtomicLong();
  private final AtomicLong mounted = new AtomicLong();
  private final AtomicLong streamed = new AtomicLong();
  private final AtomicLong streamedBytes = new AtomicLong();
  private final AtomicLong uploaded = new AtomicLong();
  private final AtomicLong uploadedBytes = new AtomicLong();

  /**
   * @param attempts tries per transfer (a streamed body can't be resent by the transport)
   */
  public BlobCopier(RegistrySession session, int attempts, Duration backoff) {
    this.session = session;
    this.attempts = Math.max(1, attempts);
    this.backoff = backoff;
  }

  /** What moved so far, over the run. */
  public record Stats(
      long present,
      long mounted,
      long streamed,
      long streamedBytes,
      long uploaded,
      long uploadedBytes) {}

  public Stats stats() {
    return new Stats(
        present.get(),
        mounted.get(),
        streamed.get(),
        streamedBytes.get(),
        uploaded.get(),
        uploadedBytes.get());
  }

  /**
   * Makes {@code source}'s blob present in {@code target}. Within one registry it is mounted in one
   * request (a registry answers 201 for a blob it already holds, too); across registries a HEAD
   * first spares streaming a blob the target has. Returns the bytes this call streamed.
   */
  public long cross(
      Repository source,
      Repository target,
      String digest,
      long size,
      Deadline deadline,
      Consumer<String> log) {
    if (source.equals(target)) {
      present.incrementAndGet();
      meter(ImageMeter.Bytes.PRESENT, size);
      return 0;
    }
    long[] sent = {0};
    boolean ran =
        crossings.once(
            target,
            digest,
            () -> {
              Optional<URI> upload = Optional.empty();
              if (source.sameRegistry(target)) {
                upload = session.mountBlob(target, digest, source, deadline);
                if (upload.isEmpty()) {
                  mounted.incrementAndGet();
                  meter(ImageMeter.Bytes.MOUNTED, size);
                  log.accept("blob " + digest + " mounted from " + source);
                  return;
                }
              } else if (session.blobExists(target, digest, deadline)) {
                present.incrementAndGet();
                meter(ImageMeter.Bytes.PRESENT, size);
                log.accept("blob " + digest + " already in " + target);
                return;
              }
              sent[0] = stream(source, target, digest, size, upload, deadline);
              meter(ImageMeter.Bytes.STREAMED, sent[0]);
              log.accept("blob " + digest + " streamed from " + source + " (" + size + " bytes)");
            },
            deadline);
    if (!ran) {
      meter(ImageMeter.Bytes.PRESENT, size); // Another image of the run made it present.
    }
    return sent[0];
  }

  /**
   * Uploads a blob made here unless {@code target} holds it: a HEAD first when {@code check} (a
   * large blob another run may have pushed), else straight up (a small one, in one request).
   * Returns whether bytes were sent.
   */
  public boolean upload(
      Repository target,
      String digest,
      long size,
      Supplier<HttpRequest.BodyPublisher> body,
      boolean check,
      Deadline deadline) {
    return send(target, digest, size, body, check, true, deadline);
  }

  private boolean send(
      Repository target,
      String digest,
      long size,
      Supplier<HttpRequest.BodyPublisher> body,
      boolean check,
      boolean layer,
      Deadline deadline) {
    boolean[] sent = {false};
    boolean ran =
        crossings.once(
            target,
            digest,
            () -> {
              if (check && session.blobExists(target, digest, deadline)) {
                present.incrementAndGet();
                meter(ImageMeter.Bytes.PRESENT, size);
                return;
              }
              transfer(target, digest, Optional.empty(), () -> BlobBody.of(body.get()), deadline);
              if (layer) {
                uploaded.incrementAndGet();
                uploadedBytes.addAndGet(size);
              }
              meter(ImageMeter.Bytes.UPLOADED, size);
              sent[0] = true;
            },
            deadline);
    if (!ran) {
      meter(ImageMeter.Bytes.PRESENT, size);
    }
    return sent[0];
  }

  /** A small blob (a config) in as few requests as the registry allows; not counted as a layer. */
  public void uploadSmall(Repository target, String digest, byte[] bytes, Deadline deadline) {
    if (bytes.length > ONE_REQUEST) {
      send(target, digest, bytes.length, () -> ofBytes(bytes), false, false, deadline);
      return;
    }
    boolean ran =
        crossings.once(
            target,
            digest,
            () -> {
              Optional<URI> location = session.postBlob(target, digest, bytes, deadline);
              meter(ImageMeter.Bytes.UPLOADED, bytes.length);
              if (location.isPresent()) {
                // The registry took the POST's body as nothing (distribution does): sent again.
                transfer(target, digest, location, () -> BlobBody.of(ofBytes(bytes)), deadline);
                meter(ImageMeter.Bytes.UPLOADED, bytes.length);
              }
            },
            deadline);
    if (!ran) {
      meter(ImageMeter.Bytes.PRESENT, bytes.length);
    }
  }

  /**
   * Counts bytes for the image the calling thread works on, if any (mirror's threads have none).
   */
  private static void meter(ImageMeter.Bytes kind, long bytes) {
    ImageMeter.onThisThread().ifPresent(m -> m.add(kind, bytes));
  }

  /** GET from the source piped into a PUT to the target: the bytes never touch the disk. */
  private long stream(
      Repository source,
      Repository target,
      String digest,
      long size,
      Optional<URI> upload,
      Deadline deadline) {
    AtomicLong sent = new AtomicLong();
    transfer(
        target,
        digest,
        upload,
        () -> {
          if (size == 0) {
            // An empty blob has no bytes to stream (a publisher of length 0 is refused); the
            // registry checks the digest is the empty one.
            return BlobBody.of(HttpRequest.BodyPublishers.noBody());
          }
          BlobBody.Counting in =
              new BlobBody.Counting(session.openBlob(source, digest, deadline), sent);
          return new BlobBody(
              HttpRequest.BodyPublishers.fromPublisher(
                  HttpRequest.BodyPublishers.ofInputStream(() -> in), size),
              in);
        },
        deadline);
    streamed.incrementAndGet();
    streamedBytes.addAndGet(sent.get());
    return sent.get();
  }

  /**
   * POST an upload (or take {@code first}, a refused mount's), then PUT the whole body; a transient
   * failure starts over with a fresh upload and a fresh body.
   */
  private void transfer(
      Repository target,
      String digest,
      Optional<URI> first,
      Supplier<BlobBody> bodies,
      Deadline deadline) {
    Optional<URI> given = first;
    for (int attempt = 1; ; attempt++) {
      URI location = given.orElseGet(() -> session.startUpload(target, digest, deadline));
      given = Optional.empty();
      try (BlobBody body = bodies.get()) {
        session.putBlob(target, location, digest, body::publisher, false, deadline);
        return;
      } catch (RegistryFailure e) {
        if (e.startOver() && !deadline.passed()) {
          // A 429 is not the transfer's fault: not a try; the next start waits out the pause.
          attempt--;
          continue;
        }
        boolean retry =
            !e.timedOut()
                && !e.rateLimited()
                && !CLIENT_ERROR.matcher(e.getMessage()).find()
                && attempt < attempts
                && !deadline.passed();
        if (!retry) {
          throw e;
        }
        Backoff.pause(deadline.bound(Backoff.delay(backoff, attempt)));
      }
    }
  }

  private static HttpRequest.BodyPublisher ofBytes(byte[] bytes) {
    return HttpRequest.BodyPublishers.ofByteArray(bytes);
  }
}
