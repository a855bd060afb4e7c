package io.imagefleet.cli;

import io.imagefleet.ImagefleetException;
import io.imagefleet.LocalFailure;
import io.imagefleet.docker.CacheMode;
import io.imagefleet.fleet.Attestations;
import io.imagefleet.fleet.BuilderTypes;
import io.imagefleet.fleet.MissingPlatform;
import io.imagefleet.registry.ImageReference;
import io.imagefleet.registry.Platform;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import picocli.CommandLine.Option;

/** build's options for each image: Dockerfile, stage, arguments, secrets, repository, builder. */
final class ImageOptions {
  private static final Pattern SECRET = Pattern.compile("id=[\\w.-]+,(?:env=\\w+|src=[^,]+)");
  private static final Pattern SECRET_NAME = Pattern.compile("(?i).*(TOKEN|PASSWORD|SECRET|KEY).*");

  @Option(
      names = "--dockerfile",
      paramLabel = "FILE",
      description = "Dockerfile of the agent layer (default: the bundled example).")
  Path dockerfile;

  @Option(
      names = "--target",
      defaultValue = "",
      paramLabel = "NAME",
      description = "Build stage; also the tag's last part.")
  String target;

  @Option(
      names = "--build-arg",
      paramLabel = "K=V",
      description = "Extra build argument (repeatable).")
  Map<String, String> buildArgs = new LinkedHashMap<>();

  @Option(
      names = "--secret",
      paramLabel = "id=NAME,env=VAR",
      description =
          "BuildKit secret mount (repeatable; id=NAME,env=VAR or id=NAME,src=FILE): a secret the"
              + " Dockerfile reads with RUN --mount=type=secret, never stored in the image. Needs buildx.")
  List<String> secrets = new ArrayList<>();

  @Option(
      names = "--image",
      required = true,
      paramLabel = "REPO",
      description = "Repository of the final images, e.g. ghcr.io/org/agent.")
  String image;

  @Option(
      names = "--push",
      negatable = true,
      defaultValue = "true",
      fallbackValue = "true",
      description = "Push each image and verify its digest (default: on; --no-push only builds).")
  boolean push;

  @Option(
      names = "--network",
      defaultValue = "default",
      paramLabel = "MODE",
      description = "Network of RUN steps: default, none or host (default: ${DEFAULT-VALUE}).")
  String network;

  @Option(
      names = "--builder",
      defaultValue = "auto",
      paramLabel = "KIND",
      description =
          "auto (append when the Dockerfile qualifies, else phased when it splits, else buildx"
              + " when present, else engine), append (assemble in the registry), phased (an env"
              + " image per base through the daemon, reused by key; the rest appended), buildx or"
              + " engine (default: ${DEFAULT-VALUE}).")
  String builder;

  @Option(
      names = "--buildx-builder",
      paramLabel = "NAME",
      description =
          "Build on this existing buildx builder (a remote BuildKit, the kubernetes driver, a hosted"
              + " builder) instead of the local daemon: images, env images and earlier stages go"
              + " through `docker buildx build --builder NAME --platform` (--platform) and out with"
              + " --push. Disk floors and prunes apply only when it runs on this daemon. Checked"
              + " once before the sdist; auto never takes the engine with it.")
  String buildxBuilder;

  @Option(
      names = "--base-mirror",
      paramLabel = "REPO",
      description =
          "Take every base from this repository, where `imagefleet mirror --to REPO` copied them"
              + " (same tags), instead of where the dataset or template names it.")
  String baseMirror;

  @Option(
      names = "--platform",
      defaultValue = "linux/amd64",
      paramLabel = "OS/ARCH[,..]",
      description =
          "Platform(s) of each image (os/architecture[/variant], comma-separated; default:"
              + " ${DEFAULT-VALUE}). One: append takes it from a multi-platform base. Several"
              + " (append, phased or buildx): each tag is an OCI image index with one manifest per"
              + " platform, from a multi-platform base or a base template with {arch}; append"
              + " builds an earlier stage that runs commands or starts from an image once per"
              + " platform, each platform with its own agent layer.")
  String platform;

  @Option(
      names = "--missing-platform",
      defaultValue = "skip",
      paramLabel = "WHAT",
      description =
          "With several --platform: skip (the index goes without a platform its base lacks;"
              + " listed in the summary) or fail (the image fails) (default: ${DEFAULT-VALUE}).")
  String missingPlatform;

  @Option(
      names = "--cache-mode",
      defaultValue = "off",
      converter = OptionConverters.CacheModeConverter.class,
      paramLabel = "MODE",
      description = "buildx cache export: off, min, max or inline (default: ${DEFAULT-VALUE}).")
  CacheMode cacheMode;

  @Option(
      names = "--attestations",
      defaultValue = "none",
      paramLabel = "KIND",
      description =
          "Attestations buildx pushes with each image: none, provenance, sbom or both (default:"
              + " ${DEFAULT-VALUE}; each is an untagged manifest in the registry).")
  String attestations;

  /** Exit 2 for a --network or --builder imagefleet does not know. */
  void checkModes() {
    if (!List.of("default", "none", "host").contains(network)) {
      throw ImagefleetException.invalidInput(
          "--network must be default, none or host, got '" + network + "'");
    }
    BuilderTypes.requireKnown(builder);
    BuilderTypes.byId(builder)
        .filter(t -> attestations() != Attestations.NONE && !t.capabilities().attestations())
        .ifPresent(
            t -> {
              throw ImagefleetException.invalidInput(
                  "--attestations "
                      + attestations
                      + " needs buildx; the "
                      + builder
                      + " builder pushes no attestations. Use --builder buildx,"
                      + " or --attestations none");
            });
    platforms();
    missingPlatform();
  }

  /** --buildx-builder; empty for the daemon's own builders. */
  Optional<String> buildxBuilder() {
    return Optional.ofNullable(buildxBuilder);
  }

  /** --base-mirror, parsed: exit 2 for a value that is no repository. */
  Optional<ImageReference> baseMirror() {
    return Optional.ofNullable(baseMirror).map(ImageReference::parse);
  }

  /** --platform's first platform: the one of a single-platform run. */
  Platform platform() {
    return platforms().get(0);
  }

  /** --platform, checked: exit 2 for anything but os/architecture[/variant] each, once each. */
  List<Platform> platforms() {
    return Platform.parseList(platform);
  }

  /** --missing-platform, checked: exit 2 for anything but skip or fail. */
  MissingPlatform missingPlatform() {
    return MissingPlatform.of(missingPlatform);
  }

  /** --attestations; exit 2 naming the option for an unknown kind. */
  Attestations attestations() {
    return Attestations.of(attestations);
  }

  /** The network of RUN steps; null for Docker's default. */
  String networkMode() {
    return network.equals("default") ? null : network;
  }

  /** Checks --secret specs, and warns about build args that look like secrets. */
  List<String> secrets(PrintWriter err) {
    for (String secret : secrets) {
      if (!SECRET.matcher(secret).matches()) {
        throw ImagefleetException.invalidInput(
            "--secret must be id=NAME,env=VAR or id=NAME,src=FILE, got '" + secret + "'");
      }
    }
    buildArgs.keySet().stream()
        .filter(name -> SECRET_NAME.matcher(name).matches())
        .forEach(
            name ->
                err.println(
                    "imagefleet: warning: --build-arg "
                        + name
                        + " looks like a secret; build args stay in the pushed image's history."
                        + " Pass it as --secret id="
                        + name
                        + ",env="
                        + name
                        + " and read it with RUN --mount=type=secret,id="
                        + name));
    return secrets;
  }

  /** --dockerfile, else the bundled example extracted to a temporary file. */
  Path dockerfile() {
    if (dockerfile != null) {
      if (!Files.isRegularFile(dockerfile)) {
        throw ImagefleetException.invalidInput("--dockerfile " + dockerfile + ": no such file");
      }
      return dockerfile.toAbsolutePath();
    }
    try {
      // Outside --output: a run that ends on bad input or a dry run leaves nothing there.
      Path bundled = Files.createTempFile("imagefleet-agent-", ".Dockerfile");
      bundled.toFile().deleteOnExit();
      try (var in =
          ImageOptions.class.getResourceAsStream("/io/imagefleet/fleet/agent.Dockerfile")) {
        Files.write(bundled, in.readAllBytes());
      }
      return bundled.toAbsolutePath();
    } catch (IOException e) {
      throw new LocalFailure("cannot extract the bundled Dockerfile: " + e, e);
    }
  }
}
