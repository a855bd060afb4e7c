package io.imagefleet.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.imagefleet.cli.CliRun;
import io.imagefleet.testing.BuildRig;
import io.imagefleet.testing.Requirements;
import io.imagefleet.testing.TestDocker;
import io.imagefleet.testing.TestRegistry;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Differential test of {@code build --builder append} against Docker, with a referee that is
 * neither: each Dockerfile of the corpus is built through the CLI by the engine builder (Docker's
 * classic builder) and by append, both images are copied out of the registry by skopeo (which
 * checks every blob's digest) and unpacked by umoci, and the two root file systems (type, mode,
 * owner, link target, content of every path) and configs must match. The differences that are
 * ignored are listed in docs/APPEND.md, each with its reason.
 */
class DockerfileEquivalenceIT {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The labels append adds that Docker's builder doesn't (docs/APPEND.md). */
  private static final List<String> APPEND_LABELS =
      List.of(
          "org.opencontainers.image.revision",
          "org.opencontainers.image.base.name",
          "org.opencontainers.image.base.digest");

  /** The config fields compared; absent and null are the same. */
  private static final List<String> CONFIG_FIELDS =
      List.of(
          "Env",
          "Entrypoint",
          "Cmd",
          "WorkingDir",
          "User",
          "ExposedPorts",
          "Labels",
          "StopSignal",
          "Shell");

  /** Who builds the image append is compared with. */
  enum Reference {
    /** {@code build --builder engine}: Docker's classic builder through the Engine API. */
    ENGINE,
    /**
     * {@code DOCKER_BUILDKIT=1 docker build} from Debian's CLI, on append's context: the classic
     * builder refuses {@code --chmod}.
     */
    BUILDKIT
  }

  /**
   * The corpus: each case names the Dockerfile features it exercises. {@code %BUSYBOX%} is a
   * busybox image in the test registry; the base (see {@link #rig()}) has users and groups, PATH,
   * and an existing directory /srv/existing (0750).
   */
  enum Case {
    FILES(
        List.of(
            "COPY --from=<stage>, several stages",
            "symbolic links in a stage (relative, absolute, to a directory; kept in a tree)",
            "a symbolic link named as the source (followed)",
            "empty directories",
            "file names with spaces (JSON form)",
            "missing parent directories",
            "ADD of a local file",
            "a later COPY over an earlier one",
            ".dockerignore beside the Dockerfile (neither builder's context holds it)"),
        Reference.ENGINE,
        """
        ARG BASE_IMAGE
        FROM %BUSYBOX% AS tree
        RUN mkdir -p "/out/with space/empty dir" /out/sub/deeper /out/emptytop \\
         && echo a > "/out/with space/a file.txt" && echo x > /out/sub/x && echo y > /out/sub/y \\
         && ln -s x /out/sub/rel-link && ln -s /out/sub/x /out/sub/abs-link && ln -s sub /out/dirlink \\
         && chmod 700 /out/sub/deeper && chmod 640 /out/sub/x && chmod 4755 /out/sub/y
        FROM %BUSYBOX% AS tool
        RUN mkdir /bin2 && printf '#!/bin/sh\\necho tool\\n' > /bin2/tool && chmod 755 /bin2/tool
        FROM ${BASE_IMAGE}
        ARG SDIST
        COPY --from=tree /out /opt/tree
        COPY --from=tree ["/out/with space/a file.txt", "/opt/spaced dest/"]
        COPY --from=tool /bin2/tool /usr/local/agent/bin/tool
        COPY --from=tree /out/sub/y /opt/tree/sub/x
        COPY --from=tree /out/sub/rel-link /opt/followed
        COPY ${SDIST} /opt/sdist/
        ADD Dockerfile /opt/added/Dockerfile.txt
        """),
    CHOWN(
        List.of(
            "COPY --chown=U:G numeric into missing parents",
            "COPY --chown=U numeric (group = user id)",
            "COPY --chown into an existing base directory (left as it is)",
            "COPY --chown of a directory tree from a stage"),
        Reference.ENGINE,
        """
        ARG BASE_IMAGE
        FROM %BUSYBOX% AS tree
        RUN mkdir -p /out/a/b && echo f > /out/a/b/f && chmod 750 /out/a
        FROM ${BASE_IMAGE}
        ARG SDIST
        COPY --chown=1234:2345 ${SDIST} /home/agent/deep/dir/
        COPY --chown=1234 ${SDIST} /srv/existing/new/file.tar.gz
        COPY --chown=1234:2345 --from=tree /out /opt/owned/tree
        """),
    CHOWN_NAMES(
        List.of("COPY --chown=user:group by name (resolved in the base's /etc/passwd, /etc/group)"),
        Reference.ENGINE,
        """
        ARG BASE_IMAGE
        FROM ${BASE_IMAGE}
        ARG SDIST
        COPY --chown=agent:agents ${SDIST} /opt/named/
        """),
    CHMOD(
        List.of("COPY --chmod (files and a directory tree)"),
        Reference.BUILDKIT,
        """
        ARG BASE_IMAGE
        FROM %BUSYBOX% AS tree
        RUN mkdir -p /out/a && echo f > /out/a/f
        FROM ${BASE_IMAGE}
        ARG SDIST
        COPY --chmod=0600 ${SDIST} /opt/chmod/
        COPY --chmod=750 --from=tree /out /opt/chmod-tree
        """),
    CONFIG(
        List.of(
            "ARG defaults (global and in the stage)",
            "ENV expansion, $PATH from the base",
            "LABEL",
            "WORKDIR (absolute, then relative) and a relative COPY destination",
            "USER numeric",
            "EXPOSE",
            "STOPSIGNAL",
            "SHELL",
            "ENTRYPOINT shell form, CMD exec form"),
        Reference.ENGINE,
        """
        ARG BASE_IMAGE
        ARG GLOBAL=global-default
        FROM ${BASE_IMAGE}
        ARG SDIST
        ARG GLOBAL
        ARG GREETING=hello
        ENV AGENT_HOME=/opt/agent PATH=/opt/agent/bin:$PATH
        ENV COPY_OF_GREETING=${GREETING} UNDER_HOME=$AGENT_HOME/x FROM_GLOBAL=$GLOBAL
        LABEL org.example.kind="agent image" org.example.greeting=$GREETING
        WORKDIR /opt/agent
        WORKDIR sub
        COPY ${SDIST} rel/
        USER 1234:2345
        EXPOSE 8080 9090/udp
        STOPSIGNAL SIGINT
        SHELL ["/bin/sh", "-ec"]
        ENTRYPOINT echo entry "$AGENT_HOME"
        CMD ["--flag", "value"]
        WORKDIR /work/space
        """),
    FOLDED(
        List.of(
            "RUN chmod +x, mkdir -p, ln -s, chown -R on copied paths (folded into the layer)",
            "COPY --from=<stage> of a directory"),
        Reference.ENGINE,
        """
        ARG BASE_IMAGE
        FROM %BUSYBOX% AS builder
        RUN mkdir -p /dist/bin && printf '#!/bin/sh\\necho agent\\n' > /dist/bin/agent \\
         && chmod 644 /dist/bin/agent
        FROM ${BASE_IMAGE}
        COPY --from=builder /dist /opt/agent
        RUN chmod +x /opt/agent/bin/agent && mkdir -p /opt/agent/cache/deep \\
         && ln -s /opt/agent/bin/agent /opt/agent/run && chown -R 1234:2345 /opt/agent/cache
        ENV PATH=$PATH:/opt/agent/bin
        """),
    PHASED(
        List.of(
            "phased: a RUN on the base in an env image, the tail appended to it",
            "a stage reached through another stage (FROM base-minimal AS agent)"),
        Reference.ENGINE,
        """
        ARG BASE_IMAGE
        FROM ${BASE_IMAGE} AS base-minimal
        RUN mkdir -p /workspace/cache && echo env > /workspace/env && chmod 700 /workspace/cache
        FROM %BUSYBOX% AS builder
        RUN mkdir -p /dist/bin && echo tool > /dist/bin/tool
        FROM base-minimal AS agent
        ARG SDIST
        COPY --from=builder /dist /opt/agent
        COPY ${SDIST} /opt/agent/sdist/
        RUN chmod 755 /opt/agent/bin/tool
        ENV PATH=$PATH:/opt/agent/bin
        WORKDIR /workspace
        """),
    EXEC_FORMS(
        List.of("USER by name", "ENTRYPOINT exec form, CMD shell form"),
        Reference.ENGINE,
        """
        ARG BASE_IMAGE
        FROM ${BASE_IMAGE}
        USER agent
        ENTRYPOINT ["/bin/sh", "-c"]
        CMD echo "cmd in $HOME"
        """);

    final List<String> features;
    final Reference reference;
    final String dockerfile;

    Case(List<String> features, Reference reference, String dockerfile) {
      this.features = features;
      this.reference = reference;
      this.dockerfile = dockerfile;
    }

    /**
     * Directories only Docker's image has: its builder creates each WORKDIR (and the parents),
     * append leaves that to the runtime (docs/APPEND.md).
     */
    List<String> workdirsOnlyDockerMakes() {
      return this == CONFIG ? List.of("/work", "/work/space") : List.of();
    }

    /** The builder compared with Docker's: append, or phased for a stage that runs commands. */
    String builder() {
      return this == PHASED ? "phased" : "append";
    }

    /** Append refuses --chown by name: the layer is built once for every base (docs/APPEND.md). */
    boolean appendRefuses() {
      return this == CHOWN_NAMES;
    }

    String slug() {
      return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }
  }

  @TempDir static Path dir;
  private static BuildRig rig;
  private static String tag;

  @BeforeAll
  static void rig() throws Exception {
    for (String tool : List.of("skopeo", "umoci")) {
      Requirements.require(onPath(tool), tool + " (apt-get install " + tool + ")");
    }
    rig = BuildRig.create(dir);
    String busybox = TestRegistry.HOST + "/" + rig.namespace + "/busybox:1";
    TestDocker.buildBusyboxImage(busybox, "common", Map.of());
    TestDocker.docker(Map.of(), "push", "-q", busybox);
    Path context = Files.createDirectories(dir.resolve("base"));
    Files.writeString(
        context.resolve("passwd"),
        "root:x:0:0:root:/root:/bin/sh\nagent:x:1234:2345:agent:/home/agent:/bin/sh\n");
    Files.writeString(context.resolve("group"), "root:x:0:\nagents:x:2345:agent\n");
    Files.writeString(
        context.resolve("Dockerfile"),
        """
        FROM %s
        COPY passwd group /etc/
        RUN mkdir -p /srv/existing /tmp && chmod 750 /srv/existing && chmod 1777 /tmp
        ENV PATH=/usr/local/bin:/usr/bin:/bin BASEVAR=from-base
        """
            .formatted(busybox));
    String base = rig.base("eq");
    TestDocker.docker(Map.of(), "build", "--network=none", "-q", "-t", base, context.toString());
    TestDocker.docker(Map.of(), "push", "-q", base);
    TestDocker.docker(Map.of(), "rmi", base);
    Files.write(dir.resolve("ids.txt"), List.of("eq"));
    // Neither builder's context (the Dockerfile and the sdist) takes this file along.
    Files.writeString(dir.resolve(".dockerignore"), "*\n");
    tag = rig.commit().substring(0, 7) + "-bases-eq";
  }

  @ParameterizedTest
  @EnumSource(Case.class)
  void appendGivesTheImageDockerGives(Case c) throws Exception {
    // given a Dockerfile of the corpus
    Path dockerfile =
        Files.writeString(
            dir.resolve(c.slug() + ".Dockerfile"),
            c.dockerfile.replace(
                "%BUSYBOX%", TestRegistry.HOST + "/" + rig.namespace + "/busybox:1"));

    // when append builds it, and Docker builds the reference
    String appendImage = rig.image() + "-" + c.slug() + "-append:" + tag;
    CliRun append = build(dockerfile, c.builder(), appendImage);
    String referenceImage = reference(c, dockerfile);
    if (c.appendRefuses()) {
      assertThat(append.exitCode()).as(append.err()).isEqualTo(2);
      assertThat(append.err()).contains("--chown=agent:agents needs numeric ids with append");
      assertThat(unpack(referenceImage, c.slug() + "-reference").paths)
          .as("Docker resolves the names in the base's /etc/passwd and /etc/group")
          .containsEntry("/opt/named", "dir 755 1234:2345");
      return;
    }
    assertThat(append.exitCode()).as(append.err()).isZero();

    // then the referee sees the same files and the same config
    Tree expected = unpack(referenceImage, c.slug() + "-reference");
    Tree actual = unpack(appendImage, c.slug() + "-append");
    for (String workdir : c.workdirsOnlyDockerMakes()) {
      assertThat(expected.paths.remove(workdir)).isEqualTo("dir 755 0:0");
      assertThat(actual.paths).doesNotContainKey(workdir);
    }
    assertThat(differences(expected, actual)).as("files of %s", c).isEmpty();
    JsonNode expectedConfig = config(referenceImage);
    JsonNode actualConfig = config(appendImage);
    for (String field : CONFIG_FIELDS) {
      assertThat(normalized(field, actualConfig))
          .as("%s of %s", field, c)
          .isEqualTo(normalized(field, expectedConfig));
    }
  }

  /** Builds the image append is compared with and returns its reference. */
  private static String reference(Case c, Path dockerfile) throws Exception {
    String image = rig.image() + "-" + c.slug() + "-reference:" + tag;
    if (c.reference == Reference.ENGINE) {
      CliRun engine = build(dockerfile, "engine", image);
      assertThat(engine.exitCode()).as(engine.err()).isZero();
      return image;
    }
    // append's context is the one every builder gets: the Dockerfile and the sdist
    Path context = dir.resolve("out-agent-" + c.slug() + "-append/append/context");
    String sdist;
    try (Stream<Path> files = Files.list(context)) {
      sdist =
          files
              .map(p -> p.getFileName().toString())
              .filter(n -> !n.equals("Dockerfile"))
              .findFirst()
              .orElseThrow();
    }
    TestDocker.docker(
        Map.of(),
        "build",
        "--network=none",
        "-q",
        "--build-arg",
        "BASE_IMAGE=" + rig.base("eq"),
        "--build-arg",
        "SDIST=" + sdist,
        "--build-arg",
        "SDK_COMMIT=" + rig.commit(),
        "-t",
        image,
        context.toString());
    TestDocker.docker(Map.of(), "push", "-q", image);
    TestDocker.docker(Map.of(), "rmi", image);
    return image;
  }

  private static CliRun build(Path dockerfile, String builder, String image) {
    String name = image.substring(image.lastIndexOf('/') + 1, image.lastIndexOf(':'));
    List<String> args = rig.buildArgs(dir.resolve("ids.txt"), dir.resolve("out-" + name));
    set(args, "--dockerfile", dockerfile.toString());
    set(args, "--builder", builder);
    set(args, "--image", image.substring(0, image.lastIndexOf(':')));
    args.addAll(List.of("--min-free-gb", "0"));
    return CliRun.run(Map.of(), args.toArray(String[]::new));
  }

  private static void set(List<String> args, String option, String value) {
    args.set(args.indexOf(option) + 1, value);
  }

  /** Every path of an image's root file system: type, mode, owner, link target or content hash. */
  record Tree(Map<String, String> paths) {}

  /** One line per path the trees disagree on. */
  private static List<String> differences(Tree expected, Tree actual) {
    TreeMap<String, String> all = new TreeMap<>();
    expected.paths.forEach((path, what) -> all.put(path, ""));
    actual.paths.forEach((path, what) -> all.put(path, ""));
    List<String> differences = new ArrayList<>();
    for (String path : all.keySet()) {
      String want = expected.paths.getOrDefault(path, "absent");
      String got = actual.paths.getOrDefault(path, "absent");
      if (!want.equals(got)) {
        differences.add(path + ": docker " + want + ", append " + got);
      }
    }
    return differences;
  }

  /** skopeo copies the image to an OCI layout (checking each blob's digest); umoci unpacks it. */
  private static Tree unpack(String image, String name) throws Exception {
    Path layout = dir.resolve("oci-" + name);
    Path bundle = dir.resolve("bundle-" + name);
    run(
        "skopeo",
        "copy",
        "-q",
        "--src-tls-verify=false",
        "docker://" + image,
        "oci:" + layout + ":it");
    run("umoci", "unpack", "--image", layout + ":it", bundle.toString());
    Path rootfs = bundle.resolve("rootfs");
    Map<String, String> paths = new TreeMap<>();
    try (Stream<Path> walk = Files.walk(rootfs)) {
      for (Path path : (Iterable<Path>) walk::iterator) {
        String relative = "/" + rootfs.relativize(path).toString();
        paths.put(relative, describe(path));
      }
    }
    return new Tree(paths);
  }

  /** What the comparison sees of one path: no mtimes (docs/APPEND.md says why). */
  private static String describe(Path path) throws Exception {
    BasicFileAttributes attributes =
        Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    Map<String, Object> unix =
        Files.readAttributes(path, "unix:mode,uid,gid", LinkOption.NOFOLLOW_LINKS);
    String owner = " " + unix.get("uid") + ":" + unix.get("gid");
    String mode = Integer.toOctalString((Integer) unix.get("mode") & 07777);
    if (attributes.isSymbolicLink()) {
      return "link -> " + Files.readSymbolicLink(path) + owner;
    }
    if (attributes.isDirectory()) {
      return "dir " + mode + owner;
    }
    if (attributes.isRegularFile()) {
      return "file " + mode + owner + " sha256:" + sha256(path);
    }
    return "other " + mode + owner;
  }

  private static JsonNode config(String image) throws Exception {
    return JSON.readTree(
            run(
                "skopeo",
                "inspect",
                "--config",
                "--raw",
                "--tls-verify=false",
                "docker://" + image))
        .path("config");
  }

  /** A config field as compared: append's own labels dropped, empty and absent the same. */
  private static JsonNode normalized(String field, JsonNode config) {
    JsonNode value = config.path(field);
    if (field.equals("Labels") && value.isObject()) {
      com.fasterxml.jackson.databind.node.ObjectNode labels =
          ((com.fasterxml.jackson.databind.node.ObjectNode) value).deepCopy();
      labels.remove(APPEND_LABELS);
      value = labels;
    }
    // Docker writes "" or {} for what it doesn't set; append leaves the base's field out.
    boolean empty =
        value.isMissingNode()
            || value.isNull()
            || value.isContainerNode() && value.isEmpty()
            || value.isTextual() && value.asText().isEmpty();
    return empty ? JSON.missingNode() : value;
  }

  private static String sha256(Path file) throws Exception {
    MessageDigest digest = MessageDigest.getInstance("SHA-256");
    try (InputStream in = Files.newInputStream(file)) {
      digest.update(in.readAllBytes());
    }
    return HexFormat.of().formatHex(digest.digest());
  }

  private static String run(String... command) throws Exception {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(120, TimeUnit.SECONDS))
        .as("%s timed out", List.of(command))
        .isTrue();
    assertThat(process.exitValue()).as("%s: %s", List.of(command), output).isZero();
    return output;
  }

  private static boolean onPath(String tool) {
    String path = System.getenv().getOrDefault("PATH", "");
    for (String entry : path.split(java.io.File.pathSeparator)) {
      if (Files.isExecutable(Path.of(entry, tool))) {
        return true;
      }
    }
    return false;
  }
}
