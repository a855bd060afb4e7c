package io.imagefleet.fleet;

import io.imagefleet.ImageMeter;
import io.imagefleet.ImagefleetException;
import io.imagefleet.append.dockerfile.PhasedPlan;
import io.imagefleet.docker.StepFailure;
import io.imagefleet.registry.Digests;
import io.imagefleet.registry.ImageReference;
import io.imagefleet.registry.Platform;
import io.imagefleet.registry.RegistryClient;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * {@code --builder phased}: per image, the env image of its base (the Dockerfile up to the split,
 * {@link PhasedPlan}) is looked up by its key in the target repository and built through the daemon
 * only when missing; then the tail is appended to it in the registry. Images on one base share one
 * env image, built once even when they run at the same time. With several platforms ({@link
 * #forPlatforms}), each platform's base image gets its own env image, built for that platform, and
 * the tag becomes an index of the tail appended to each.
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
  private final Optional<Platforms> platforms;
  private final Optional<Platform> foreign;
  private final Map<String, PlatformCoverage> coverage = new ConcurrentHashMap<>();

  /**
   * Several platforms: each image's platforms, whether one its base lacks fails it, where each
   * platform's base is ({@code base}), and the tail making an index on the bases it is given
   * ({@code index}: for each platform, the base to append to).
   */
  record Platforms(
      List<Platform> chosen,
      MissingPlatform missing,
      BiFunction<String, Platform, String> base,
      Function<Map<Platform, String>, ImageBuilder> index) {
    Platforms {
      chosen = List.copyOf(chosen);
    }
  }

  PhasedImageBuilder(
      ImageBuilder daemon, ImageBuilder tail, EnvKeys keys, RegistryClient registry) {
    this(daemon, tail, keys, registry, Optional.empty(), Optional.empty());
  }

  private PhasedImageBuilder(
      ImageBuilder daemon,
      ImageBuilder tail,
      EnvKeys keys,
      RegistryClient registry,
      Optional<Platforms> platforms,
      Optional<Platform> foreign) {
    this.daemon = daemon;
    this.tail = tail;
    this.keys = keys;
    this.registry = registry;
    this.platforms = platforms;
    this.foreign = foreign;
  }

  /**
   * This builder for one {@code platform} that is not this machine's ({@code own}): each env image
   * built for it on the base's image of it, pinned by digest, as with several platforms (pulled by
   * tag, a multi-platform base would give the engine its own platform's image).
   */
  PhasedImageBuilder forPlatform(Platform platform, String own) {
    return platforms.isPresent() || platform.architecture().equals(own)
        ? this
        : new PhasedImageBuilder(daemon, tail, keys, registry, platforms, Optional.of(platform));
  }

  /** This builder making an index of {@code platforms} per image (two or more). */
  PhasedImageBuilder forPlatforms(Platforms several) {
    return several.chosen().size() < 2
        ? this
        : new PhasedImageBuilder(
            daemon, tail, keys, registry, Optional.of(several), Optional.empty());
  }

  @Override
  public Optional<PlatformCoverage> platforms(String instance) {
    return Optional.ofNullable(coverage.get(instance));
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
    if (platforms.isPresent()) {
      return buildIndex(job, log, deadline, platforms.get());
    }
    job.meter().mark(ImageMeter.Phase.RESOLVE);
    ImageReference env;
    ImageJob source = job;
    try {
      if (foreign.isPresent()) {
        Platform platform = foreign.get();
        EnvKeys.PlatformEnv pinned =
            keys.envImage(job.image(), job.baseImage(), platform, List.of(platform))
                .orElseThrow(
                    () ->
                        new StepFailure(
                            "no " + platform + " image in " + job.baseImage() + " (--platform)",
                            false));
        env = pinned.env();
        source = job.on(platform).onBase(pinned.base(), true);
      } else {
        env = keys.envImage(job.image(), job.baseImage());
      }
    } catch (StepFailure e) {
      throw e;
    } catch (ImagefleetException e) {
      throw new StepFailure("env image of " + job.baseImage() + ": " + e.getMessage(), false);
    }
    envByInstance.put(job.instance(), env.toString());
    job.meter().mark(ImageMeter.Phase.ENV);
    ensure(env, source, log, deadline, false);
    try {
      return tail.build(job.onBase(env.toString(), false), log, left(deadline));
    } catch (StepFailure e) {
      if (registry.manifestDigest(env).isPresent()) {
        throw e;
      }
      // The env image went between the check and the append (a retention run, say): build it again.
      BuildLog.append(
          log, "=== imagefleet: env image " + env + " is gone; building it again ===\n");
      job.meter().mark(ImageMeter.Phase.ENV);
      ensure(env, source, log, deadline, true);
      return tail.build(job.onBase(env.toString(), false), log, left(deadline));
    }
  }

  /**
   * Each platform's env image found or built for that platform on its base's image of it; the tail
   * appended to each, under one index. A platform the base lacks is left out (listed) or, with
   * {@code --missing-platform fail}, fails the image before any env image is built.
   */
  private Optional<String> buildIndex(ImageJob job, Path log, long deadline, Platforms several) {
    job.meter().mark(ImageMeter.Phase.RESOLVE);
    PlatformEnvs found = platformEnvs(job, several, log);
    envByInstance.put(job.instance(), found.first());
    ImageBuilder index = several.index().apply(found.bases());
    for (int attempt = 1; ; attempt++) {
      for (Map.Entry<Platform, EnvKeys.PlatformEnv> env : found.envs().entrySet()) {
        job.meter().mark(ImageMeter.Phase.ENV);
        ensure(
            env.getValue().env(),
            job.on(env.getKey()).onBase(env.getValue().base(), true),
            log,
            deadline,
            attempt > 1);
      }
      Optional<String> digest;
      try {
        digest = index.build(job, log, left(deadline));
      } catch (StepFailure e) {
        if (!anyGone(found.envs().values()) || attempt > 1) {
          throw e;
        }
        BuildLog.append(
            log, "=== imagefleet: an env image went before the append; building it again ===\n");
        continue;
      }
      Optional<PlatformCoverage> made = index.platforms(job.instance());
      made.ifPresent(c -> coverage.put(job.instance(), c));
      List<EnvKeys.PlatformEnv> lost = lost(job, found, made);
      if (lost.isEmpty()) {
        return digest;
      }
      // The index treats an env image it can't find as a platform its base lacks (each platform's
      // base is named apart): with skip it went without a platform that has its env image.
      if (!anyGone(lost) || attempt > 1) {
        throw new StepFailure(
            "index "
                + job.image()
                + " went without the platform of env image "
                + lost.stream().map(e -> e.env().toString()).collect(Collectors.joining(", "))
                + ", which the base has (the build log says why)",
            false);
      }
      BuildLog.append(
          log, "=== imagefleet: an env image went before the index; building it again ===\n");
    }
  }

  /**
   * Each platform's env image ({@code envs}), the platforms the base lacks, and the base the index
   * takes each platform from ({@code bases}: its env image; a platform the base lacks gets the
   * {@code first} env image, which lacks it too).
   */
  private record PlatformEnvs(
      Map<Platform, EnvKeys.PlatformEnv> envs,
      List<Platform> lacking,
      Map<Platform, String> bases,
      String first) {}

  /** The image's env images by platform; fails it when none, or one is lacking and that fails. */
  private PlatformEnvs platformEnvs(ImageJob job, Platforms several, Path log) {
    Map<Platform, EnvKeys.PlatformEnv> envs = new LinkedHashMap<>();
    Map<Platform, String> bases = new LinkedHashMap<>();
    List<Platform> lacking = new ArrayList<>();
    for (Platform platform : several.chosen()) {
      String base = several.base().apply(job.baseImage(), platform);
      Optional<EnvKeys.PlatformEnv> env;
      try {
        env = keys.envImage(job.image(), base, platform, several.chosen());
      } catch (StepFailure e) {
        throw e;
      } catch (ImagefleetException e) {
        throw new StepFailure("env image of " + base + ": " + e.getMessage(), false);
      }
      env.ifPresentOrElse(e -> envs.put(platform, e), () -> lacking.add(platform));
      env.ifPresent(e -> bases.put(platform, e.env().toString()));
    }
    if (envs.isEmpty() || !lacking.isEmpty() && several.missing() == MissingPlatform.FAIL) {
      throw new StepFailure(
          "no "
              + lacking.stream().map(Platform::toString).collect(Collectors.joining(", "))
              + " image in "
              + several.chosen().stream()
                  .map(p -> several.base().apply(job.baseImage(), p))
                  .distinct()
                  .collect(Collectors.joining(", "))
              + (envs.isEmpty()
                  ? ""
                  : " (--missing-platform fail; skip makes the index without it)"),
          false);
    }
    String first = envs.values().iterator().next().env().toString();
    // A platform the base lacked goes to the index on another platform's env image, which lacks it
    // too: never on the base itself, which would put the tail there without the env stage (the
    // base may have gained the platform since it was pinned, or its config names no os).
    for (Platform p : lacking) {
      bases.put(p, first);
      BuildLog.append(
          log,
          "=== imagefleet: no "
              + p
              + " image in "
              + several.base().apply(job.baseImage(), p)
              + "; the index goes without it ===\n");
    }
    return new PlatformEnvs(envs, lacking, bases, first);
  }

  /**
   * The env images whose platform the index went without. A platform the base lacked found in the
   * index fails the image: it was taken from an env image built for another.
   */
  private static List<EnvKeys.PlatformEnv> lost(
      ImageJob job, PlatformEnvs found, Optional<PlatformCoverage> made) {
    if (made.isEmpty()) {
      return List.of();
    }
    List<String> in = made.get().platforms();
    List<String> onOther =
        found.lacking().stream().map(Platform::toString).filter(in::contains).toList();
    if (!onOther.isEmpty()) {
      throw new StepFailure(
          "index "
              + job.image()
              + " took "
              + onOther
              + " from "
              + found.first()
              + ", built for another platform",
          false);
    }
    return found.envs().entrySet().stream()
        .filter(e -> !in.contains(e.getKey().toString()))
        .map(Map.Entry::getValue)
        .toList();
  }

  private boolean anyGone(java.util.Collection<EnvKeys.PlatformEnv> envs) {
    return envs.stream().anyMatch(env -> registry.manifestDigest(env.env()).isEmpty());
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
    private final Map<String, Map<Platform, String>> pins = new ConcurrentHashMap<>();

    /** One platform's env image and the base image it is built on, pinned by digest. */
    record PlatformEnv(ImageReference env, String base) {}

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

    /**
     * The env image of {@code base}'s {@code platform} image, keyed by that image's digest; empty
     * when the base has no such image.
     */
    Optional<PlatformEnv> envImage(
        ImageReference image, String base, Platform platform, List<Platform> all) {
      Optional<String> pin =
          Optional.ofNullable(
              pins.computeIfAbsent(base, b -> registry.pins(b, all, RegistryClient.deadline()))
                  .get(platform));
      return pin.map(
          p -> {
            String key = key(p.substring(p.indexOf('@') + 1), platform.toString());
            String key12 = key.substring("sha256:".length(), "sha256:".length() + 12);
            return new PlatformEnv(
                new ImageReference(
                    image.registry(), image.repository(), ImageTags.envTag(key12, base)),
                p);
          });
    }

    String key(String baseDigest) {
      return key(baseDigest, platform);
    }

    private String key(String baseDigest, String platform) {
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
