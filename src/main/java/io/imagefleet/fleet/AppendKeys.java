package io.imagefleet.fleet;

import io.imagefleet.append.dockerfile.AppendPlan;
import io.imagefleet.append.dockerfile.StageInputs;
import io.imagefleet.registry.Digests;
import io.imagefleet.registry.Platform;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * The content keys of what an append run makes once ({@link io.imagefleet.append.AppendCache}): an
 * earlier stage's export and the agent layer. Each is a sha256 over every input of the thing, so a
 * change to any of them is another key. A RUN that downloads is keyed by its text, as Docker's own
 * layer cache keys it.
 */
final class AppendKeys {
  private static final String VERSION = version();

  private final Map<String, String> args;
  private final String sdistDigest;
  private final String platform;
  private final String network;
  private final SortedMap<String, String> context;
  private final Function<String, Optional<String>> imageDigest;

  /**
   * @param context every file of the build context (name → sha256)
   * @param imageDigest an image's manifest digest; empty (or a thrown failure) when unknown
   */
  AppendKeys(
      Map<String, String> args,
      String sdistDigest,
      String platform,
      String network,
      Map<String, String> context,
      Function<String, Optional<String>> imageDigest) {
    this.args = Map.copyOf(args);
    this.sdistDigest = sdistDigest;
    this.platform = platform;
    this.network = network;
    this.context = new TreeMap<>(context);
    this.imageDigest = imageDigest;
  }

  /**
   * The same keys for a stage built for {@code other}: a key names the platform it was built for.
   */
  AppendKeys on(Platform other) {
    return new AppendKeys(args, sdistDigest, other.toString(), network, context, imageDigest);
  }

  /** A key or why there is none. */
  record Key(Optional<String> key, String whyNot) {}

  /**
   * The key of a stage's export: its lines, the digests of the images they start or copy from, the
   * build args they name (SDIST by the sdist's digest too), the context when they read it, the
   * platform, the network and the paths taken out.
   */
  Key stage(StageInputs inputs, List<String> exportPaths) {
    if (inputs.uncacheable().isPresent()) {
      return new Key(Optional.empty(), inputs.uncacheable().get());
    }
    StringBuilder recipe = header("imagefleet append stage export v1");
    recipe.append("platform ").append(platform).append('\n');
    recipe.append("host-arch ").append(System.getProperty("os.arch")).append('\n');
    recipe.append("network ").append(network).append('\n');
    inputs.lines().forEach(line -> recipe.append("line ").append(line).append('\n'));
    for (String image : inputs.images()) {
      Optional<String> digest;
      try {
        digest = imageDigest.apply(image);
      } catch (RuntimeException e) {
        return new Key(
            Optional.empty(), "the digest of " + image + " is unknown: " + e.getMessage());
      }
      if (digest.isEmpty()) {
        return new Key(Optional.empty(), "the digest of " + image + " is unknown");
      }
      recipe.append("image ").append(image).append('@').append(digest.get()).append('\n');
    }
    new TreeMap<>(args)
        .forEach(
            (name, value) -> {
              if (inputs.argNames().contains(name)) {
                recipe.append("arg ").append(name).append('=').append(value).append('\n');
                if (name.equals("SDIST")) {
                  recipe.append("sdist ").append(sdistDigest).append('\n');
                }
              }
            });
    if (inputs.readsContext()) {
      appendContext(recipe);
    }
    exportPaths.forEach(path -> recipe.append("export ").append(path).append('\n'));
    return new Key(Optional.of(digest(recipe)), "");
  }

  /**
   * The key of the agent layer: the appended stage's lines and the build args, the context's files,
   * the digest of each stage export it copies from, and the entries' fixed mtime.
   */
  String layer(AppendPlan plan, Map<String, String> stageTrees, long mtime) {
    StringBuilder recipe = header("imagefleet agent layer v1");
    plan.layerLines().forEach(line -> recipe.append("line ").append(line).append('\n'));
    appendContext(recipe);
    new TreeMap<>(stageTrees)
        .forEach(
            (name, tree) ->
                recipe.append("stage ").append(name).append(' ').append(tree).append('\n'));
    recipe.append("mtime ").append(mtime).append('\n');
    return digest(recipe);
  }

  /** sha256 of each regular file directly in {@code context}, by name. */
  static Map<String, String> contextDigests(Path context) throws IOException {
    Map<String, String> digests = new TreeMap<>();
    try (Stream<Path> files = Files.list(context)) {
      for (Path file : files.filter(Files::isRegularFile).toList()) {
        digests.put(file.getFileName().toString(), "sha256:" + Retagger.sha256(file));
      }
    }
    return digests;
  }

  private void appendContext(StringBuilder recipe) {
    context.forEach(
        (name, digest) ->
            recipe.append("context ").append(name).append(' ').append(digest).append('\n'));
  }

  private static StringBuilder header(String kind) {
    return new StringBuilder(kind).append('\n').append("imagefleet ").append(VERSION).append('\n');
  }

  private static String digest(StringBuilder recipe) {
    return Digests.sha256(recipe.toString().getBytes(StandardCharsets.UTF_8));
  }

  /** The jar's version: a new imagefleet may write layers differently, so it makes new keys. */
  private static String version() {
    Properties properties = new Properties();
    try (InputStream in =
        AppendKeys.class.getClassLoader().getResourceAsStream("imagefleet-version.properties")) {
      if (in != null) {
        properties.load(in);
      }
    } catch (IOException e) {
      // unknown: the keys still cover every input
    }
    return properties.getProperty("version", "unknown");
  }
}
