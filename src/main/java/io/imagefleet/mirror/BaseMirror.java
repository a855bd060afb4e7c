package io.imagefleet.mirror;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.imagefleet.InputText;
import io.imagefleet.registry.BaseName;
import io.imagefleet.registry.BlobCopier;
import io.imagefleet.registry.Deadline;
import io.imagefleet.registry.Digests;
import io.imagefleet.registry.InsecureRegistries;
import io.imagefleet.registry.Platform;
import io.imagefleet.registry.RegistryFailure;
import io.imagefleet.registry.RegistrySession;
import io.imagefleet.registry.Repository;
import java.io.IOException;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Copies one base into the mirror repository: its manifest by digest (an index whole, with every
 * child, or the child of {@code --platform}), each blob mounted or streamed by the shared {@link
 * BlobCopier}, then the top manifest under the base's mirror tag. A base whose tag already serves
 * what it would put is left alone, so a second run moves nothing.
 */
public final class BaseMirror {
  private static final Set<String> INDEXES =
      Set.of(
          "application/vnd.oci.image.index.v1+json",
          "application/vnd.docker.distribution.manifest.list.v2+json");
  private static final Set<String> IMAGES =
      Set.of(
          "application/vnd.oci.image.manifest.v1+json",
          "application/vnd.docker.distribution.manifest.v2+json");
  private static final ObjectMapper JSON = new ObjectMapper();

  private final RegistrySession session;
  private final BlobCopier copier;
  private final InsecureRegistries insecure;
  private final Optional<Platform> platform;

  public BaseMirror(
      RegistrySession session,
      BlobCopier copier,
      InsecureRegistries insecure,
      Optional<Platform> platform) {
    this.session = session;
    this.copier = copier;
    this.insecure = insecure;
    this.platform = platform;
  }

  /** The platform copied of each multi-platform base; empty: indexes whole. */
  public Optional<Platform> platform() {
    return platform;
  }

  /** What one base's copy did. */
  public record Copy(String sourceDigest, String digest, boolean moved, long bytes) {}

  /**
   * Mirrors {@code base} to {@code target} ({@code repository:tag}). {@code earlier} is what a
   * previous run put there for the same source digest (with {@code --platform}, a child's digest).
   */
  public Copy copy(
      String base,
      Repository target,
      String tag,
      Optional<MirrorRecord> earlier,
      Deadline deadline,
      Consumer<String> log) {
    BaseName name = BaseName.parse(base);
    Repository source = Repository.of(name.image(), insecure);
    String headed =
        name.reference().startsWith("sha256:")
            ? name.reference()
            : session
                .manifestDigest(source, name.reference(), deadline)
                .orElseThrow(
                    () -> RegistryFailure.failed("mirror " + base + " failed: no such image"));
    // A registry that doesn't name digests on HEAD: the manifest's own bytes say it.
    String sourceDigest =
        headed.isEmpty()
            ? session.getManifest(source, name.reference(), deadline).digest()
            : headed;
    // Only a --platform copy puts something other than the source's manifest: a record of the
    // same platform's copy says what; else it is the source's digest.
    String expected =
        earlier
            .filter(r -> platform.isPresent() && platform.get().toString().equals(r.platform()))
            .filter(r -> r.sourceDigest().equals(sourceDigest) && Digests.valid(r.digest()))
            .map(MirrorRecord::digest)
            .orElse(sourceDigest);
    Optional<String> there = session.manifestDigest(target, tag, deadline);
    if (there.isPresent() && there.get().equals(expected)) {
      log.accept(base + " already mirrored as " + target + ":" + tag + " " + expected);
      return new Copy(sourceDigest, expected, false, 0);
    }
    long[] bytes = {0};
    RegistrySession.Manifest top = session.getManifest(source, sourceDigest, deadline);
    if (INDEXES.contains(top.mediaType())) {
      List<JsonNode> children = children(top, base);
      if (platform.isPresent()) {
        top = session.getManifest(source, chosen(children, base), deadline);
        requireImage(top, base);
        bytes[0] += copyImage(source, target, top, deadline, log);
      } else {
        for (String child : distinctDigests(children, source)) {
          RegistrySession.Manifest manifest = session.getManifest(source, child, deadline);
          requireImage(manifest, base);
          bytes[0] += copyImage(source, target, manifest, deadline, log);
          session.putManifest(
              target, manifest.digest(), manifest.mediaType(), manifest.bytes(), deadline);
        }
      }
    } else {
      requireImage(top, base);
      bytes[0] += copyImage(source, target, top, deadline, log);
    }
    String digest = session.putManifest(target, tag, top.mediaType(), top.bytes(), deadline);
    log.accept(base + " mirrored as " + target + ":" + tag + " " + digest);
    return new Copy(sourceDigest, digest, true, bytes[0]);
  }

  /** The config and layers of an image manifest into the target; the bytes streamed. */
  private long copyImage(
      Repository source,
      Repository target,
      RegistrySession.Manifest manifest,
      Deadline deadline,
      Consumer<String> log) {
    JsonNode tree = read(manifest.bytes(), manifest.digest());
    long bytes = blob(source, target, tree.path("config"), deadline, log);
    for (JsonNode layer : tree.path("layers")) {
      bytes += blob(source, target, layer, deadline, log);
    }
    return bytes;
  }

  private long blob(
      Repository source,
      Repository target,
      JsonNode descriptor,
      Deadline deadline,
      Consumer<String> log) {
    String mediaType = descriptor.path("mediaType").asText("");
    if (mediaType.contains("foreign") || mediaType.contains("nondistributable")) {
      return 0; // referenced by URL, never pushed
    }
    String digest = Digests.require(descriptor.path("digest").asText(null), source.registry());
    JsonNode size = descriptor.path("size");
    if (!size.canConvertToLong() || !size.isIntegralNumber() || size.asLong() < 0) {
      throw RegistryFailure.failed(
          "mirror from "
              + source
              + " failed: blob "
              + digest
              + " has size "
              + InputText.quote(size.toString())
              + ", not a byte count");
    }
    return copier.cross(source, target, digest, size.asLong(), deadline, log);
  }

  /**
   * The children's digests, each once (an index may list one child many times), each checked for
   * its form before it goes into a URL.
   */
  private static Set<String> distinctDigests(List<JsonNode> children, Repository source) {
    Set<String> digests = new LinkedHashSet<>();
    for (JsonNode child : children) {
      digests.add(Digests.require(child.path("digest").asText(null), source.registry()));
    }
    return digests;
  }

  private static List<JsonNode> children(RegistrySession.Manifest index, String base) {
    List<JsonNode> children = new java.util.ArrayList<>();
    read(index.bytes(), base).path("manifests").forEach(children::add);
    if (children.isEmpty()) {
      throw RegistryFailure.failed("mirror " + base + " failed: its index lists no manifests");
    }
    return children;
  }

  private String chosen(List<JsonNode> children, String base) {
    for (JsonNode child : children) {
      JsonNode p = child.path("platform");
      if (platform
          .get()
          .matches(
              p.path("os").asText(), p.path("architecture").asText(), p.path("variant").asText())) {
        return Digests.require(child.path("digest").asText(null), base);
      }
    }
    throw RegistryFailure.failed(
        "mirror " + base + " failed: its index has no " + platform.get() + " image");
  }

  private static void requireImage(RegistrySession.Manifest manifest, String base) {
    if (!IMAGES.contains(manifest.mediaType())) {
      throw RegistryFailure.failed(
          "mirror "
              + base
              + " failed: manifest "
              + manifest.digest()
              + " has type '"
              + manifest.mediaType()
              + "', not an OCI or Docker v2 image manifest");
    }
  }

  private static JsonNode read(byte[] bytes, String what) {
    try {
      return JSON.readTree(bytes);
    } catch (IOException e) {
      throw RegistryFailure.failed("read manifest " + what + " failed: not JSON");
    }
  }
}
