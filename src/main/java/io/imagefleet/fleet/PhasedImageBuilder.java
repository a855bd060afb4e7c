package io.imagefleet.fleet;

import io.imagefleet.ImageMeter;
import io.imagefleet.ImagefleetException;
import io.imagefleet.append.dockerfile.PhasedPlan;
import io.imagefleet.docker.StepFailure;
import io.imagefleet.registry.Digests;
import io.imagefleet.registry.ImageReference;
import io.imagefleet.registry.RegistryClient;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;

/**
 * {@code --builder phased}: per image, the env image of its base (the Dockerfile up to the split,
 * {@link PhasedPlan}) is looked up by its key in the target repository and built through the daemon
 * only when missing; then the tail is appended to it in the registry. Images on one base share one
 * env image, built once even when they run at the same time.
 */
final class PhasedImageBuilder implements ImageBuilder {
  /** The env image's Dockerfile in each image's context. */
  static final String ENV_DOCKERFILE = "Dockerfile.imagefleet-env";

  private final ImageBuilder daemon;
  private final ImageBuilder tail;
  private final EnvKeys keys;
  private final RegistryClient registry;
  private final Map<String, ReentrantLock> locks = new ConcurrentHashMap<>();
  private final Map<String, String> envByInstance = new ConcurrentHashMap<>();
  private final AtomicInteger built = new AtomicInteger();
  private final AtomicInteger reused = new AtomicInteger();

  PhasedImageBuilder(
      ImageBuilder daemon, ImageBuilder tail, EnvKeys keys, RegistryClient registry) {
    this.daemon = daemon;
    this.tail = tail;
    this.keys = keys;
    this.registry = registry;
  }

  @Override
  public BuilderType type() {
    return BuilderTypes.PHASED;
  }

  @Override
  public String summaryName() {
    return "phased (" + built.get() + " env image(s) built, " + reused.get() + " reused)";
  }

  @Override
  public Optional<String> build(ImageJob job, Path log, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    job.meter().mark(ImageMeter.Phase.RESOLVE);
    ImageReference env;
    try {
      env = keys.envImage(job.image(), job.baseImage());
    } catch (StepFailure e) {
      throw e;
    } catch (ImagefleetException e) {
      throw new StepFailure("env image of " + job.baseImage() + ": " + e.getMessage(), false);
    }
    envByInstance.put(job.instance(), env.toString());
    job.meter().mark(ImageMeter.Phase.ENV);
    ensure(env, job, log, deadline, false);
    try {
      return tail.build(onEnv(job, env), log, left(deadline));
    } catch (StepFailure e) {
      if (registry.manifestDigest(env).isPresent()) {
        throw e;
      }
      // The env image went between the check and the append (a retention run, say): build it again.
      BuildLog.append(
          log, "=== imagefleet: env image " + env + " is gone; building it again ===\n");
      job.meter().mark(ImageMeter.Phase.ENV);
      ensure(env, job, log, deadline, true);
      return tail.build(onEnv(job, env), log, left(deadline));
    }
  }

  /** The env image is in the registry when this returns: found, or built here (one at a time). */
  private void ensure(ImageReference env, ImageJob job, Path log, long deadline, boolean again) {
    ReentrantLock lock = locks.computeIfAbsent(env.toString(), k -> new ReentrantLock());
    try {
      if (!lock.tryLock(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
        throw new StepFailure("waiting for env image " + env + " timed out", true);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StepFailure("waiting for env image " + env + ": interrupted", false);
    }
    try {
      if (registry.manifestDigest(env).isPresent()) {
        if (!again) {
          reused.incrementAndGet();
        }
        BuildLog.append(log, "=== imagefleet: env image " + env + " is in the registry ===\n");
        return;
      }
      BuildLog.append(log, "=== imagefleet: building env image " + env + " ===\n");
      Path dockerfile = job.context().resolve(ENV_DOCKERFILE);
      Files.writeString(dockerfile, keys.plan().headDockerfile(), StandardCharsets.UTF_8);
      daemon.build(envJob(job, env, dockerfile), log, left(deadline));
      built.incrementAndGet();
    } catch (IOException e) {
      throw new StepFailure("cannot write the env image's Dockerfile: " + e.getMessage(), false);
    } catch (StepFailure e) {
      throw new StepFailure("env image " + env + ": " + e.getMessage(), e.timedOut());
    } catch (ImagefleetException e) {
      throw new StepFailure("env image " + env + ": " + e.getMessage(), false);
    } finally {
      lock.unlock();
    }
  }

  private static ImageJob envJob(ImageJob job, ImageReference env, Path dockerfile) {
    return new ImageJob(
        job.instance(),
        job.baseImage(),
        env,
        job.context(),
        dockerfile,
        "",
        job.buildArgs(),
        job.network(),
        true,
        job.cacheMode(),
        job.secrets(),
        job.meter().as(ImageMeter.Phase.ENV),
        job.platform());
  }

  /** The image's job with the env image as its base, for the appended tail. */
  private static ImageJob onEnv(ImageJob job, ImageReference env) {
    return new ImageJob(
        job.instance(),
        env.toString(),
        job.image(),
        job.context(),
        job.dockerfile(),
        job.target(),
        job.buildArgs(),
        job.network(),
        job.push(),
        job.cacheMode(),
        job.secrets(),
        job.meter(),
        job.platform());
  }

  private static Duration left(long deadline) {
    return Duration.ofNanos(Math.max(1_000_000_000L, deadline - System.nanoTime()));
  }

  @Override
  public Optional<String> envImage(String instance) {
    return Optional.ofNullable(envByInstance.get(instance));
  }

  @Override
  public Optional<String> traffic() {
    String envs = "phased: " + built.get() + " env image(s) built, " + reused.get() + " reused";
    return Optional.of(tail.traffic().map(t -> envs + "; " + t).orElse(envs));
  }

  @Override
  public Optional<String> buildxBuilder() {
    return daemon.buildxBuilder();
  }

  @Override
  public Optional<String> unmeasuredDisk() {
    return daemon.unmeasuredDisk();
  }

  /**
   * The key of an env image: what it is made of (the base's digest, the head's instructions, the
   * build args they name, the sdist's digest when they name it, the platform), and its tag in the
   * target repository: {@code env-<key12>-<the base's last path component and tag>}.
   */
  static final class EnvKeys {
    private final PhasedPlan plan;
    private final Map<String, String> args;
    private final String platform;
    private final RegistryClient registry;
    private final Map<String, String> baseDigests = new ConcurrentHashMap<>();

    /**
     * @param args the run's build args (SDIST and SDK_COMMIT included); {@code sdistDigest} stands
     *     for SDIST's content
     */
    EnvKeys(
        PhasedPlan plan,
        Map<String, String> args,
        String sdistDigest,
        String platform,
        RegistryClient registry) {
      this.plan = plan;
      Map<String, String> used = new TreeMap<>();
      java.util.Set<String> named = plan.usedArgs();
      args.forEach(
          (name, value) -> {
            if (named.contains(name) && !name.equals("BASE_IMAGE")) {
              used.put(name, name.equals("SDIST") ? sdistDigest : value);
            }
          });
      this.args = used;
      this.platform = platform;
      this.registry = registry;
    }

    PhasedPlan plan() {
      return plan;
    }

    ImageReference envImage(ImageReference image, String base) {
      String digest = baseDigests.computeIfAbsent(base, b -> baseDigest(b));
      String key = key(digest);
      String key12 = key.substring("sha256:".length(), "sha256:".length() + 12);
      return new ImageReference(
          image.registry(), image.repository(), ImageTags.envTag(key12, base));
    }

    String key(String baseDigest) {
      StringBuilder inputs = new StringBuilder("imagefleet env image v1\n");
      inputs.append("base ").append(baseDigest).append('\n');
      inputs.append("platform ").append(platform).append('\n');
      args.forEach((k, v) -> inputs.append("arg ").append(k).append('=').append(v).append('\n'));
      plan.headLines().forEach(line -> inputs.append("line ").append(line).append('\n'));
      return Digests.sha256(inputs.toString().getBytes(StandardCharsets.UTF_8));
    }

    private String baseDigest(String base) {
      try {
        return Retagger.digestOf(base, registry)
            .orElseThrow(
                () -> new StepFailure("base image " + base + " is not in its registry", false));
      } catch (StepFailure e) {
        throw e;
      } catch (ImagefleetException e) {
        // The registry's failure or a reference it can't address: this image's; a bug is not.
        throw new StepFailure("base image " + base + ": " + e.getMessage(), false);
      }
    }
  }
}
