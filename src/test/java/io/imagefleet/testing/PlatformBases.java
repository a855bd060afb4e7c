package io.imagefleet.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * Base images for two platforms made without emulation: Debian's static busybox for amd64 (the rig
 * installs it) and for arm64 (the rig downloads its .deb; {@code dpkg-deb} unpacks it), each in a
 * one-layer OCI image written here ({@code /bin/busybox}, {@code /bin/sh} and a marker), pushed to
 * the test registry by {@code skopeo}: alone, or both under one OCI image index.
 */
public final class PlatformBases {
  public static final Path AMD64_BUSYBOX = Path.of("/bin/busybox");
  public static final Path ARM64_DEB = Path.of("/var/cache/imagefleet/busybox-static_arm64.deb");
  public static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";
  private static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path layout;
  private final Map<String, byte[]> busybox = new LinkedHashMap<>();
  private final ArrayNode refs = JSON.createArrayNode();

  private PlatformBases(Path layout, byte[] amd64, byte[] arm64) {
    this.layout = layout;
    busybox.put("amd64", amd64);
    busybox.put("arm64", arm64);
  }

  /** Fails under CI (skips elsewhere) when a tool or a busybox binary is missing. */
  public static PlatformBases create(Path dir) throws Exception {
    for (String tool : List.of("skopeo", "umoci", "dpkg-deb")) {
      Requirements.require(onPath(tool), tool);
    }
    Requirements.require(Files.isRegularFile(AMD64_BUSYBOX), "busybox-static (amd64)");
    Requirements.require(
        Files.isRegularFile(ARM64_DEB), ARM64_DEB + " (.ci/rig.sh fetch_arm64_busybox)");
    Path unpacked = dir.resolve("arm64-deb");
    run("dpkg-deb", "-x", ARM64_DEB.toString(), unpacked.toString());
    Path layout = Files.createDirectories(dir.resolve("bases-layout"));
    Files.createDirectories(layout.resolve("blobs/sha256"));
    Files.writeString(layout.resolve("oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
    return new PlatformBases(
        layout,
        Files.readAllBytes(AMD64_BUSYBOX),
        Files.readAllBytes(unpacked.resolve("bin/busybox")));
  }

  /** Pushes one single-platform image ({@code amd64} or {@code arm64}) as {@code reference}. */
  public void pushImage(String arch, String marker, String reference) throws Exception {
    ObjectNode descriptor = image(arch, marker);
    push(descriptor, reference, false);
  }

  /** Pushes an OCI image index of one image per arch in {@code arches} as {@code reference}. */
  public void pushIndex(List<String> arches, String marker, String reference) throws Exception {
    ObjectNode index = JSON.createObjectNode();
    index.put("schemaVersion", 2);
    index.put("mediaType", OCI_INDEX);
    ArrayNode manifests = index.putArray("manifests");
    for (String arch : arches) {
      manifests.add(image(arch, marker));
    }
    push(descriptor(OCI_INDEX, blob(JSON.writeValueAsBytes(index))), reference, true);
  }

  private void push(ObjectNode descriptor, String reference, boolean all) throws Exception {
    String name = "ref" + refs.size();
    descriptor.putObject("annotations").put("org.opencontainers.image.ref.name", name);
    refs.add(descriptor);
    ObjectNode index = JSON.createObjectNode();
    index.put("schemaVersion", 2);
    index.set("manifests", refs);
    Files.write(layout.resolve("index.json"), JSON.writeValueAsBytes(index));
    List<String> command =
        new ArrayList<>(List.of("skopeo", "copy", "-q", "--dest-tls-verify=false"));
    if (all) {
      command.add("--all");
    }
    command.addAll(List.of("oci:" + layout + ":" + name, "docker://" + reference));
    run(command.toArray(String[]::new));
  }

  /** One image: a layer with the arch's busybox and the marker, a config naming the platform. */
  private ObjectNode image(String arch, String marker) throws Exception {
    byte[] tar = layerTar(busybox.get(arch), marker);
    ByteArrayOutputStream gz = new ByteArrayOutputStream();
    try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
      out.write(tar);
    }
    String layer = blob(gz.toByteArray());
    ObjectNode config = JSON.createObjectNode();
    config.put("architecture", arch);
    config.put("os", "linux");
    if (arch.equals("arm64")) {
      config.put("variant", "v8");
    }
    config
        .putObject("config")
        .putArray("Env")
        .add("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
    ObjectNode rootfs = config.putObject("rootfs");
    rootfs.put("type", "layers");
    rootfs.putArray("diff_ids").add("sha256:" + sha256(tar));
    String configDigest = blob(JSON.writeValueAsBytes(config));
    ObjectNode manifest = JSON.createObjectNode();
    manifest.put("schemaVersion", 2);
    manifest.put("mediaType", OCI_MANIFEST);
    manifest.set("config", descriptor("application/vnd.oci.image.config.v1+json", configDigest));
    manifest
        .putArray("layers")
        .add(descriptor("application/vnd.oci.image.layer.v1.tar+gzip", layer));
    ObjectNode descriptor = descriptor(OCI_MANIFEST, blob(JSON.writeValueAsBytes(manifest)));
    ObjectNode platform = descriptor.putObject("platform");
    platform.put("architecture", arch);
    platform.put("os", "linux");
    if (arch.equals("arm64")) {
      platform.put("variant", "v8");
    }
    return descriptor;
  }

  private ObjectNode descriptor(String mediaType, String digest) throws IOException {
    ObjectNode descriptor = JSON.createObjectNode();
    descriptor.put("mediaType", mediaType);
    descriptor.put("digest", digest);
    descriptor.put("size", Files.size(layout.resolve("blobs/sha256/" + digest.substring(7))));
    return descriptor;
  }

  private String blob(byte[] bytes) throws Exception {
    String hex = sha256(bytes);
    Files.write(layout.resolve("blobs/sha256/" + hex), bytes);
    return "sha256:" + hex;
  }

  private static byte[] layerTar(byte[] busybox, String marker) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes)) {
      tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
      TarArchiveEntry bin = new TarArchiveEntry("bin/");
      bin.setMode(040755);
      tar.putArchiveEntry(bin);
      tar.closeArchiveEntry();
      TarArchiveEntry file = new TarArchiveEntry("bin/busybox");
      file.setMode(0100755);
      file.setSize(busybox.length);
      tar.putArchiveEntry(file);
      tar.write(busybox);
      tar.closeArchiveEntry();
      TarArchiveEntry sh = new TarArchiveEntry("bin/sh", TarArchiveEntry.LF_SYMLINK);
      sh.setLinkName("busybox");
      tar.putArchiveEntry(sh);
      tar.closeArchiveEntry();
      byte[] text = (marker + "\n").getBytes(StandardCharsets.UTF_8);
      TarArchiveEntry markerEntry = new TarArchiveEntry("marker");
      markerEntry.setMode(0100644);
      markerEntry.setSize(text.length);
      tar.putArchiveEntry(markerEntry);
      tar.write(text);
      tar.closeArchiveEntry();
    }
    return bytes.toByteArray();
  }

  /** The ELF machine of a binary: 62 is x86-64, 183 AArch64. */
  public static int elfMachine(Path binary) throws IOException {
    byte[] head = new byte[20];
    try (var in = Files.newInputStream(binary)) {
      if (in.readNBytes(head, 0, 20) < 20 || head[0] != 0x7f || head[1] != 'E') {
        throw new IOException(binary + " is no ELF file");
      }
    }
    return (head[18] & 0xff) | (head[19] & 0xff) << 8;
  }

  static String sha256(byte[] bytes) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
  }

  public static String run(String... command) throws Exception {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(120, TimeUnit.SECONDS) || process.exitValue() != 0) {
      throw new IllegalStateException(String.join(" ", command) + " failed: " + output);
    }
    return output;
  }

  private static boolean onPath(String tool) {
    for (String entry : System.getenv().getOrDefault("PATH", "").split(":")) {
      if (Files.isExecutable(Path.of(entry, tool))) {
        return true;
      }
    }
    return false;
  }

  /** A manifest or index of the test registry as JSON: {@code host/name:tag} or {@code @digest}. */
  public static JsonNode manifest(String reference) throws IOException {
    String[] name = split(reference);
    return JSON.readTree(new RegistryWire(TestRegistry.HOST).manifest(name[0], name[1]).bytes());
  }

  /** A blob (an image's config) of the repository {@code reference} names, as JSON. */
  public static JsonNode blob(String reference, String digest) throws IOException {
    return JSON.readTree(new RegistryWire(TestRegistry.HOST).blob(split(reference)[0], digest));
  }

  private static String[] split(String reference) {
    String rest = reference.substring(TestRegistry.HOST.length() + 1);
    int at = rest.indexOf('@');
    int split = at >= 0 ? at : rest.lastIndexOf(':');
    return new String[] {rest.substring(0, split), rest.substring(split + 1)};
  }

  /**
   * skopeo copies one platform's image to an OCI layout under {@code dir}; umoci unpacks its root
   * file system, whose path is returned.
   */
  public static Path unpack(String image, Path dir, String name) throws Exception {
    Path layout = dir.resolve("oci-" + name);
    Path bundle = dir.resolve("bundle-" + name);
    run(
        "skopeo",
        "copy",
        "-q",
        "--src-tls-verify=false",
        "docker://" + image,
        "oci:" + layout + ":it");
    run("umoci", "unpack", "--rootless", "--image", layout + ":it", bundle.toString());
    return bundle.resolve("rootfs");
  }
}
