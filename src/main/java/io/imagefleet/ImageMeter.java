package io.imagefleet;

import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * Where one image's seconds went and what its blobs cost. Whoever works on the image marks the
 * phase it enters; time outside any phase is {@link Phase#OTHER}, so the phases add up to the
 * image's seconds. The registry room, which serves many images and knows none, reports budget waits
 * and blob traffic to the meter bound to the calling thread ({@link #bind}). One meter per image;
 * thread-safe. A view made by {@link #attempt} can be detached, so a builder abandoned past its
 * timeout marks nothing more.
 */
public final class ImageMeter {
  /** The phases of an image, in the order reports show them; {@code id} is the manifest's key. */
  public enum Phase {
    CHECK("check", "registry check"),
    RESOLVE("resolve", "resolve base"),
    ENV("env", "env image"),
    PULL("pull", "pull / mount / stream"),
    BUILD("build", "build"),
    PUSH("push", "push / upload"),
    MANIFEST("manifest", "config and manifest"),
    VERIFY("verify", "verify"),
    RETAG("retag", "retag"),
    WAIT_RATE("wait_rate", "wait: rate budget"),
    WAIT_RETRY("wait_retry", "wait: retry backoff"),
    OTHER("other", "other");

    private final String id;
    private final String label;

    Phase(String id, String label) {
      this.id = id;
      this.label = label;
    }

    public String id() {
      return id;
    }

    public String label() {
      return label;
    }

    public static Optional<Phase> byId(String id) {
      for (Phase p : values()) {
        if (p.id.equals(id)) {
          return Optional.of(p);
        }
      }
      return Optional.empty();
    }
  }

  /**
   * What became of the bytes of an image's blobs: moved (pulled, streamed registry to registry,
   * uploaded) or reused (mounted within a registry, already present in the target).
   */
  public enum Bytes {
    PULLED("pulled", true),
    STREAMED("streamed", true),
    UPLOADED("uploaded", true),
    MOUNTED("mounted", false),
    PRESENT("present", false);

    private final String id;
    private final boolean moved;

    Bytes(String id, boolean moved) {
      this.id = id;
      this.moved = moved;
    }

    public String id() {
      return id;
    }

    /** Whether these bytes crossed the network (else they were reused where they were). */
    public boolean moved() {
      return moved;
    }
  }

  private static final ThreadLocal<ImageMeter> BOUND = new ThreadLocal<>();

  private final Tally tally;
  private final Phase only;
  private volatile boolean attached = true;

  private ImageMeter(Tally tally, Phase only) {
    this.tally = tally;
    this.only = only;
  }

  /** A meter started now on {@code nanos} (a monotonic clock), counting bytes of {@code kinds}. */
  public static ImageMeter start(LongSupplier nanos, Set<Bytes> kinds) {
    return new ImageMeter(new Tally(nanos, kinds), null);
  }

  /** A meter that records nothing: for callers outside a build (tests, mirror). */
  public static ImageMeter none() {
    ImageMeter none = start(() -> 0, Set.of());
    none.attached = false;
    return none;
  }

  /** The meter of the image the current thread works on, if one is bound. */
  public static Optional<ImageMeter> onThisThread() {
    return Optional.ofNullable(BOUND.get());
  }

  /** Binds this meter to the current thread until the binding closes. */
  public Binding bind() {
    ImageMeter before = BOUND.get();
    BOUND.set(this);
    return () -> {
      if (before == null) {
        BOUND.remove();
      } else {
        BOUND.set(before);
      }
    };
  }

  /** A thread's binding; closing it restores what was bound before. */
  public interface Binding extends AutoCloseable {
    @Override
    void close();
  }

  /** From now on the image's time goes to {@code phase} ({@link Phase#OTHER}: to no phase). */
  public void mark(Phase phase) {
    if (attached) {
      tally.mark(only != null ? only : phase);
    }
  }

  /**
   * {@code nanos} of the phase now open were really {@code phase}'s (a wait for a registry's budget
   * inside a push, the export inside a buildx build).
   */
  public void carve(Phase phase, long nanos) {
    if (attached && nanos > 0) {
      tally.carve(phase == Phase.WAIT_RATE || only == null ? phase : only, nanos);
    }
  }

  /** {@code bytes} of the image's blobs went {@code kind}'s way. */
  public void add(Bytes kind, long bytes) {
    if (attached && bytes >= 0) {
      tally.add(kind, bytes);
    }
  }

  /** A view whose every mark is {@code phase}: a phased build's env image, however it is built. */
  public ImageMeter as(Phase phase) {
    ImageMeter view = new ImageMeter(tally, phase);
    view.attached = attached;
    return view;
  }

  /** A view for one attempt of the builder, detached when the attempt is abandoned. */
  public ImageMeter attempt() {
    ImageMeter view = new ImageMeter(tally, only);
    view.attached = attached;
    return view;
  }

  /** Records nothing more through this view. */
  public void detach() {
    attached = false;
  }

  /**
   * Seconds per phase id, in {@link Phase} order, rounded to hundredths; {@code other} is what
   * {@code seconds} (the image's, as recorded) holds beyond the rest. Empty when nothing was timed.
   */
  public Map<String, Double> phases(double seconds) {
    return tally.phases(seconds);
  }

  /** Bytes per kind id, for the kinds counted; empty when the builder counts none. */
  public Map<String, Long> bytes() {
    return tally.bytes();
  }

  /** The shared state of one image's meter and its views. */
  private static final class Tally {
    private final LongSupplier nanos;
    private final Set<Bytes> kinds;
    private final EnumMap<Phase, Long> spent = new EnumMap<>(Phase.class);
    private final EnumMap<Bytes, Long> bytes = new EnumMap<>(Bytes.class);
    private Phase current = Phase.OTHER;
    private long since;

    Tally(LongSupplier nanos, Set<Bytes> kinds) {
      this.nanos = nanos;
      this.kinds = Set.copyOf(kinds);
      this.since = nanos.getAsLong();
      kinds.forEach(k -> bytes.put(k, 0L));
    }

    synchronized void mark(Phase phase) {
      long now = nanos.getAsLong();
      spent.merge(current, now - since, Long::sum);
      current = phase;
      since = now;
    }

    synchronized void carve(Phase phase, long n) {
      spent.merge(phase, n, Long::sum);
      spent.merge(current, -n, Long::sum);
    }

    synchronized void add(Bytes kind, long n) {
      if (kinds.contains(kind)) {
        bytes.merge(kind, n, Long::sum);
      }
    }

    synchronized Map<String, Double> phases(double seconds) {
      mark(current);
      Map<String, Double> out = new LinkedHashMap<>();
      double sum = 0;
      for (Phase p : Phase.values()) {
        long n = spent.getOrDefault(p, 0L);
        double s = Math.round(n / 1e7) / 100.0;
        if (p != Phase.OTHER && s > 0) {
          out.put(p.id(), s);
          sum += s;
        }
      }
      double other = Math.round((seconds - sum) * 100) / 100.0;
      if (other > 0) {
        out.put(Phase.OTHER.id(), other);
      }
      return out;
    }

    synchronized Map<String, Long> bytes() {
      Map<String, Long> out = new LinkedHashMap<>();
      bytes.forEach((k, v) -> out.put(k.id(), v));
      return out;
    }
  }
}
