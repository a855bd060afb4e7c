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
 * The buildx CLI, for what the Engine API can't reach: the cache of a docker-container builder
 * (what setup-buildx-action creates), which lives inside that builder's container ({@code docker
 * builder prune} talks to the daemon's own builder and reclaims nothing there), and the builder
 * {@code --buildx-builder} names: does it exist, does it answer, where does it build.
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

  /**
   * A buildx builder: its name, driver, the buildx version that drives it, and its first node's
   * endpoint (empty when inspect printed none).
   */
  public record Builder(String name, String driver, String buildxVersion, String endpoint) {
    public Builder(String name, String driver, String buildxVersion) {
      this(name, driver, buildxVersion, "");
    }

    public boolean containerDriver() {
      return driver.equals("docker-container");
    }

    /**
     * Whether it builds on the daemon {@code dockerHost} names (empty: the default socket): a
     * docker or docker-container driver whose endpoint is a context or socket, or that very host. A
     * remote, kubernetes or cloud driver, or a docker-container builder on tcp:// or ssh://, builds
     * elsewhere.
     */
    public boolean onDaemon(Optional<String> dockerHost) {
      if (!driver.equals("docker") && !containerDriver()) {
        return false;
      }
      boolean url = endpoint.matches("(?i)(tcp|ssh|https?)://.*");
      return !url || dockerHost.filter(endpoint::equals).isPresent();
    }
  }

  /**
   * What {@code docker buildx inspect NAME} says of a named builder: it exists and answers, it
   * exists but does not (booting it failed, or its node shows an error), or there is no such
   * builder (or no buildx at all).
   */
  public sealed interface Lookup {
    /** The builder answers. */
    record Ready(Builder builder) implements Lookup {}

    /** The builder exists but could not be booted or reached: {@code why} is buildx's word. */
    record Unreachable(String name, String why) implements Lookup {}

    /** No builder of that name (or buildx is not installed): {@code why} is buildx's word. */
    record Missing(String name, String why) implements Lookup {}
  }

  /**
   * Looks the named builder up ({@code buildx inspect NAME}) and, when it exists, boots it ({@code
   * buildx inspect --bootstrap NAME}: starts a docker-container builder, dials a remote one).
   */
  public Lookup lookUp(String name) {
    Result version = run(List.of("buildx", "version"));
    if (version.exitCode() != 0) {
      return new Lookup.Missing(name, "'" + docker + " buildx' is not available");
    }
    Result inspect = run(List.of("buildx", "inspect", name));
    if (inspect.exitCode() != 0) {
      return new Lookup.Missing(name, lastLine(inspect.output()));
    }
    Result boot = run(List.of("buildx", "inspect", "--bootstrap", name));
    String error = field(boot.output(), "Error");
    if (boot.exitCode() != 0 || error != null) {
      return new Lookup.Unreachable(name, error != null ? error : lastLine(boot.output()));
    }
    Optional<Builder> builder = parse(boot.output(), version.output());
    return builder
        .<Lookup>map(Lookup.Ready::new)
        .orElseGet(
            () ->
                new Lookup.Unreachable(
                    name, "buildx inspect printed no Name and Driver: " + lastLine(boot.output())));
  }

  private static String lastLine(String output) {
    List<String> lines = output.strip().lines().filter(l -> !l.isBlank()).toList();
    return lines.isEmpty() ? "no output" : lines.get(lines.size() - 1).strip();
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
    return parse(inspect.output(), version.output());
  }

  private static Optional<Builder> parse(String inspect, String version) {
    String name = field(inspect, "Name");
    String driver = field(inspect, "Driver");
    if (name == null || driver == null) {
      return Optional.empty();
    }
    String endpoint = field(inspect, "Endpoint");
    return Optional.of(
        new Builder(name, driver, version.strip(), endpoint == null ? "" : endpoint));
  }

  /**
   * The platforms a builder builds, its nodes' own and those it emulates: every node's {@code
   * Platforms:} line of {@code buildx inspect --bootstrap} ({@code name} empty: the active
   * builder). Empty when buildx, the builder or that line is missing.
   */
  public List<String> platforms(Optional<String> name) {
    List<String> args = new ArrayList<>(List.of("buildx", "inspect", "--bootstrap"));
    name.ifPresent(args::add);
    Result inspect = run(args);
    if (inspect.exitCode() != 0) {
      return List.of();
    }
    return platformLines(inspect.output());
  }

  /** The union of {@code Platforms:} lines, in order, without buildx's {@code *} marks. */
  static List<String> platformLines(String inspect) {
    List<String> platforms = new ArrayList<>();
    for (String line : inspect.lines().toList()) {
      String trimmed = line.trim();
      if (!trimmed.startsWith("Platforms:")) {
        continue;
      }
      for (String item : trimmed.substring("Platforms:".length()).split(",")) {
        String platform = item.replace("*", "").trim();
        if (!platform.isEmpty() && !platforms.contains(platform)) {
          platforms.add(platform);
        }
      }
    }
    return List.copyOf(platforms);
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
