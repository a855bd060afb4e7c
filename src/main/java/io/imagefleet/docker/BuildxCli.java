package io.imagefleet.docker;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The buildx CLI, for the one thing the Engine API can't reach: the cache of a docker-container
 * builder (what setup-buildx-action creates), which lives inside that builder's container. {@code
 * docker builder prune} talks to the daemon's own builder and reclaims nothing there.
 */
public final class BuildxCli {
  private static final Pattern VERSION = Pattern.compile("v(\\d+)\\.(\\d+)(?:\\.(\\d+))?");
  private static final Pattern SIZE = Pattern.compile("([0-9.]+)\\s*([kKMGTP]?i?B)");

  private final String docker;
  private final Map<String, String> environment;
  private final Duration timeout;

  /**
   * {@code environment} is added to this process's own for every call (DOCKER_HOST, DOCKER_CONFIG).
   */
  public BuildxCli(String docker, Map<String, String> environment, Duration timeout) {
    this.docker = docker;
    this.environment = Map.copyOf(environment);
    this.timeout = timeout;
  }

  /** A buildx builder: its name, driver and the buildx version that drives it. */
  public record Builder(String name, String driver, String buildxVersion) {
    public boolean containerDriver() {
      return driver.equals("docker-container");
    }
  }

  /** The active builder, when the buildx plugin is installed. */
  public Optional<Builder> activeBuilder() {
    return inspect(List.of("buildx", "inspect"));
  }

  /** The builder of that name, when it exists. */
  public Optional<Builder> builder(String name) {
    return inspect(List.of("buildx", "inspect", name));
  }

  /**
   * Creates a docker-container builder: registry cache export needs one (the docker driver can't
   * export cache).
   */
  public void createContainerBuilder(String name) {
    List<String> args = List.of("buildx", "create", "--name", name, "--driver", "docker-container");
    Result create = run(args);
    if (create.exitCode() != 0) {
      throw new IllegalStateException(
          "docker " + String.join(" ", args) + " failed: " + create.output().strip());
    }
  }

  private Optional<Builder> inspect(List<String> args) {
    Result version = run(List.of("buildx", "version"));
    if (version.exitCode() != 0) {
      return Optional.empty();
    }
    Result inspect = run(args);
    if (inspect.exitCode() != 0) {
      return Optional.empty();
    }
    String name = field(inspect.output(), "Name");
    String driver = field(inspect.output(), "Driver");
    if (name == null || driver == null) {
      return Optional.empty();
    }
    return Optional.of(new Builder(name, driver, version.output().strip()));
  }

  /** The builder's cache size, from the {@code Total:} line of {@code docker buildx du}. */
  public long cacheBytes(Builder builder) {
    Result du = run(List.of("buildx", "du", "--builder", builder.name()));
    if (du.exitCode() != 0) {
      throw new IllegalStateException(
          "docker buildx du --builder " + builder.name() + " failed: " + du.output().strip());
    }
    String total = field(du.output(), "Total");
    return total == null ? 0 : parseSize(total);
  }

  /**
   * Prunes the builder's cache down to {@code keepBytes} with the flag its buildx version takes.
   */
  public void prune(Builder builder, long keepBytes) {
    List<String> args =
        new ArrayList<>(
            List.of("buildx", "prune", "--builder", builder.name(), "--force", "--all"));
    args.add(keepFlag(builder.buildxVersion()));
    args.add(Long.toString(keepBytes));
    Result prune = run(args);
    if (prune.exitCode() != 0) {
      throw new IllegalStateException(
          "docker " + String.join(" ", args) + " failed: " + prune.output().strip());
    }
  }

  /**
   * buildx 0.18 renamed {@code --keep-storage} to {@code --reserved-space} (deprecated, later
   * removed); {@code --max-storage} never shipped. An unreadable version gets the new flag.
   */
  public static String keepFlag(String versionOutput) {
    Matcher m = VERSION.matcher(versionOutput);
    if (!m.find()) {
      return "--reserved-space";
    }
    int major = Integer.parseInt(m.group(1));
    int minor = Integer.parseInt(m.group(2));
    return major == 0 && minor < 18 ? "--keep-storage" : "--reserved-space";
  }

  /** Parses sizes as buildx prints them: decimal units (kB, MB, GB), binary with an i. */
  static long parseSize(String text) {
    Matcher m = SIZE.matcher(text.trim());
    if (!m.find()) {
      return 0;
    }
    double value = Double.parseDouble(m.group(1));
    String unit = m.group(2).toUpperCase(Locale.ROOT);
    boolean binary = unit.contains("I");
    double base = binary ? 1024 : 1000;
    int power = "BKMGTP".indexOf(unit.charAt(0));
    return Math.round(value * Math.pow(base, Math.max(power, 0)));
  }

  private static String field(String output, String name) {
    for (String line : output.lines().toList()) {
      String trimmed = line.trim();
      if (trimmed.startsWith(name + ":")) {
        return trimmed.substring(name.length() + 1).trim();
      }
    }
    return null;
  }

  record Result(int exitCode, String output) {}

  private Result run(List<String> args) {
    List<String> command = new ArrayList<>();
    command.add(docker);
    command.addAll(args);
    java.nio.file.Path log = null;
    try {
      // Output goes to a file so that a hung command can't block the read past the timeout.
      log = java.nio.file.Files.createTempFile("imagefleet-buildx-", ".log");
      ProcessBuilder builder =
          new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
      builder.environment().putAll(environment);
      Process process = builder.start();
      process.getOutputStream().close();
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
        return new Result(124, "timed out after " + timeout.toSeconds() + " s");
      }
      return new Result(
          process.exitValue(), java.nio.file.Files.readString(log, StandardCharsets.UTF_8));
    } catch (IOException e) {
      return new Result(127, e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Result(130, "interrupted");
    } finally {
      if (log != null) {
        log.toFile().delete();
      }
    }
  }
}
