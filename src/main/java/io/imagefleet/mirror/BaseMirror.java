package io.imagefleet.mirror;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.imagefleet.InputText;
import io.imagefleet.registry.BaseName;
import io.imagefleet.registry.BlobCopier;
import io.imagefleet.registry.Deadline;
import io.imagefleet.registry.Digests;
import io.imagefleet.registry.InsecureRegistries;
import io.imagefleet.registry.MediaTypes;
import io.imagefleet.registry.Platform;
import io.imagefleet.registry.RegistryFailure;
import io.imagefleet.registry.RegistrySession;
import io.imagefleet.registry.Repository;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * Copies one base into the mirror repository: its manifest by digest (an index whole, with every
 * child; the child of one {@code --platform}; or, for several, the index whole when its children
 * are just theirs, else a new OCI index of them), each blob mounted or streamed by the shared
 * {@link BlobCopier}, then the top manifest under the base's mirror tag. A base whose tag already
 * serves what it would put is left alone, so a second run moves nothing.
 */
public final class BaseMirror {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final RegistrySession session;
  private final BlobCopier copier;
  private final InsecureRegistries insecure;
  private final List<Platform> platforms;
  private final boolean failOnMissing;

  /**
   * @param platforms {@code --platform}'s; none: indexes whole
   * @param failOnMissing with two or more platforms, whether a base lacking one fails ({@code
   *     --missing-platform fail}) rather than going without it
   */
  public BaseMirror(
      RegistrySession session,
      BlobCopier copier,
      InsecureRegistries insecure,
      List<Platform> platforms,
      boolean failOnMissing) {
    this.session = session;
    this.copier = copier;
    this.insecure = insecure;
    this.platforms = List.copyOf(platforms);
    this.failOnMissing = failOnMissing;
  }

  /** The platforms copied of each multi-platform base, as the journal names them; empty: whole. */
  public Optional<String> platforms() {
    return platforms.isEmpty()
        ? Optional.empty()
        : Optional.of(platforms.stream().map(Platform::toString).collect(Collectors.joining(",")));
  }

  /**
   * What one base's copy did; with several platforms, the ones its base lacks and whether a new
   * index (of the others) went under the tag.
   */
  public record Copy(
      String sourceDigest,
      String digest,
      boolean moved,
      long bytes,
      List<String> missing,
      boolean newIndex) {
    public Copy {
      missing = List.copyOf(missing);
    }
  }

  /** What goes under the tag: the manifest, the children it needs first, what the base lacks. */
  private record Plan(
      RegistrySession.Manifest source,
      String mediaType,
      byte[] bytes,
      Set<String> children,
      List<String> missing,
      boolean newIndex) {
    String digest() {
      return newIndex ? Digests.sha256(bytes) : source.digest();
    }
  }

  /**
   * Mirrors {@code base} to {@code target} ({@code repository:tag}). {@code earlier} is what a
   * previous run put there for the same source digest (with {@code --platform}, what it made).
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
    // same platforms' copy says what (and what the base lacked); else it is the source's digest.
    Optional<MirrorRecord> same =
        earlier
            .filter(r -> platforms().isPresent() && platforms().get().equals(r.platform()))
            .filter(r -> r.sourceDigest().equals(sourceDigest) && Digests.valid(r.digest()));
    String expected = same.map(MirrorRecord::digest).orElse(sourceDigest);
    Optional<String> there = session.manifestDigest(target, tag, deadline);
    // Several platforms without a record: what the base lacks is known only from its index.
    if (there.isPresent()
        && there.get().equals(expected)
        && (platforms.size() < 2 || same.isPresent())) {
      log.accept(base + " already mirrored as " + target + ":" + tag + " " + expected);
      return new Copy(
          sourceDigest,
          expected,
          false,
          0,
          same.map(MirrorRecord::missing).orElse(List.of()),
          same.map(MirrorRecord::newIndex).orElse(false));
    }
    Plan plan = plan(base, source, session.getManifest(source, sourceDigest, deadline), deadline);
    if (there.isPresent() && there.get().equals(plan.digest())) {
      log.accept(base + " already mirrored as " + target + ":" + tag + " " + plan.digest());
      return new Copy(sourceDigest, plan.digest(), false, 0, plan.missing(), plan.newIndex());
    }
    long bytes = 0;
    if (plan.children().isEmpty()) {
      requireImage(plan.source(), base);
      bytes += copyImage(source, target, plan.source(), deadline, log);
    }
    for (String child : plan.children()) {
      RegistrySession.Manifest manifest = session.getManifest(source, child, deadline);
      requireImage(manifest, base);
      bytes += copyImage(source, target, manifest, deadline, log);
      session.putManifest(
          target, manifest.digest(), manifest.mediaType(), manifest.bytes(), deadline);
    }
    String digest = session.putManifest(target, tag, plan.mediaType(), plan.bytes(), deadline);
    log.accept(
        base
            + " mirrored as "
            + target
            + ":"
            + tag
            + " "
            + digest
            + (plan.newIndex() ? " (a new index of its wanted platforms)" : ""));
    return new Copy(sourceDigest, digest, true, bytes, plan.missing(), plan.newIndex());
  }

  /**
   * What {@code top} becomes in the mirror. An index: whole without {@code --platform}; one
   * platform's image for one; for several, whole when it holds just their children, else a new OCI
   * index of them. A single image is copied as it is.
   */
  private Plan plan(
      String base, Repository source, RegistrySession.Manifest top, Deadline deadline) {
    if (!MediaTypes.index(top.mediaType())) {
      List<String> missing =
          platforms.size() < 2 ? List.of() : lacking(base, source, top, deadline);
      return new Plan(top, top.mediaType(), top.bytes(), Set.of(), missing, false);
    }
    JsonNode index = read(top.bytes(), base);
    List<JsonNode> children = children(index, base);
    if (platforms.isEmpty()) {
      return new Plan(
          top, top.mediaType(), top.bytes(), distinctDigests(children, source), List.of(), false);
    }
    if (platforms.size() == 1) {
      Platform platform = platforms.get(0);
      JsonNode child =
          platform
              .childOf(index)
              .orElseThrow(
                  () ->
                      RegistryFailure.failed(
                          "mirror " + base + " failed: its index has no " + platform + " image"));
      RegistrySession.Manifest image =
          session.getManifest(
              source, Digests.require(child.path("digest").asText(null), base), deadline);
      return new Plan(image, image.mediaType(), image.bytes(), Set.of(), List.of(), false);
    }
    Set<JsonNode> wanted = Collections.newSetFromMap(new IdentityHashMap<>());
    List<String> missing = new ArrayList<>();
    for (Platform platform : platforms) {
      platform.childOf(index).ifPresentOrElse(wanted::add, () -> missing.add(platform.toString()));
    }
    requireAny(base, "its index has no ", wanted.isEmpty(), missing);
    List<JsonNode> kept = children.stream().filter(wanted::contains).toList();
    if (kept.size() == children.size()) {
      return new Plan(
          top, top.mediaType(), top.bytes(), distinctDigests(kept, source), missing, false);
    }
    ObjectNode made = JSON.createObjectNode();
    made.put("schemaVersion", 2);
    made.put("mediaType", MediaTypes.OCI_INDEX);
    made.putArray("manifests").addAll(kept);
    byte[] bytes = write(made);
    return new Plan(top, MediaTypes.OCI_INDEX, bytes, distinctDigests(kept, source), missing, true);
  }

  /**
   * The wanted platforms a single image (as its config names it) is not; none when it says none.
   */
  private List<String> lacking(
      String base, Repository source, RegistrySession.Manifest image, Deadline deadline) {
    requireImage(image, base);
    String config =
        Digests.require(
            read(image.bytes(), base).path("config").path("digest").asText(null),
            source.registry());
    JsonNode json = read(session.getBlob(source, config, deadline), base);
    String os = json.path("os").asText("");
    if (os.isEmpty()) {
      return List.of();
    }
    String architecture = json.path("architecture").asText("");
    String variant = json.path("variant").asText("");
    List<String> missing = new ArrayList<>();
    for (Platform platform : platforms) {
      if (!platform.matches(os, architecture, variant)) {
        missing.add(platform.toString());
      }
    }
    String is = os + "/" + architecture + (variant.isEmpty() ? "" : "/" + variant);
    requireAny(
        base, "it is one " + is + " image, no ", missing.size() == platforms.size(), missing);
    return missing;
  }

  /**
   * Fails this base when it has none of the platforms, or lacks one under {@code fail}; {@code has}
   * says what it is ("its index has no ").
   */
  private void requireAny(String base, String has, boolean none, List<String> missing) {
    String lacks = "mirror " + base + " failed: " + has + String.join(", ", missing) + " image";
    if (none) {
      throw RegistryFailure.failed(lacks);
    }
    if (!missing.isEmpty() && failOnMissing) {
      throw RegistryFailure.failed(
          lacks + " (--missing-platform fail; skip copies the base without it)");
    }
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

  private static List<JsonNode> children(JsonNode index, String base) {
    List<JsonNode> children = new ArrayList<>();
    index.path("manifests").forEach(children::add);
    if (children.isEmpty()) {
      throw RegistryFailure.failed("mirror " + base + " failed: its index lists no manifests");
    }
    return children;
  }

  private static void requireImage(RegistrySession.Manifest manifest, String base) {
    if (!MediaTypes.image(manifest.mediaType())) {
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

  private static byte[] write(JsonNode tree) {
    try {
      return JSON.writeValueAsBytes(tree);
    } catch (IOException e) {
      throw new IllegalStateException(e);
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
