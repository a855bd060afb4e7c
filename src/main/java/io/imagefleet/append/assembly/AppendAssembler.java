package io.imagefleet.append.assembly;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.imagefleet.ImageMeter;
import io.imagefleet.append.layer.AgentLayer;
import io.imagefleet.append.layer.OwnedParents;
import io.imagefleet.registry.BaseName;
import io.imagefleet.registry.BlobCopier;
import io.imagefleet.registry.Deadline;
import io.imagefleet.registry.Digests;
import io.imagefleet.registry.InsecureRegistries;
import io.imagefleet.registry.MediaTypes;
import io.imagefleet.registry.Platform;
import io.imagefleet.registry.RegistryFailure;
import io.imagefleet.registry.RegistrySession;
import io.imagefleet.registry.RegistryTransport;
import io.imagefleet.registry.Repository;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Assembles images in the registry: the base's blobs are mounted (same registry) or streamed
 * (another registry) into the target repository, the agent layer is uploaded once per repository,
 * and each image costs a config PUT and a manifest PUT. No daemon, no base on local disk. Safe to
 * share between workers: that is what lets a blob cross once per target repository.
 */
public final class AppendAssembler {
  static final String DOCKER_MANIFEST = MediaTypes.DOCKER_MANIFEST;
  static final String DOCKER_LIST = MediaTypes.DOCKER_LIST;
  static final String OCI_MANIFEST = MediaTypes.OCI_MANIFEST;
  static final String OCI_INDEX = MediaTypes.OCI_INDEX;
  private static final ObjectMapper JSON = new ObjectMapper();

  private final RegistrySession session;
  private final BlobCopier copier;
  private final InsecureRegistries insecure;
  private final Platform platform;
  private final java.util.Map<String, Object> manifestLocks =
      new java.util.concurrent.ConcurrentHashMap<>();
  private final AtomicLong images = new AtomicLong();
  private final java.util.Map<String, String> resolved =
      new java.util.concurrent.ConcurrentHashMap<>();
  private final java.util.Map<String, ParentLookup> parentLookups =
      new java.util.concurrent.ConcurrentHashMap<>();

  /**
   * @param transport the run's one registry transport (auth, retries, caps)
   * @param attempts tries per blob transfer (a streamed body can't be resent by the transport)
   */
  public AppendAssembler(
      RegistryTransport transport, Platform platform, int attempts, Duration backoff) {
    this.insecure = transport.insecure();
    this.session = new RegistrySession(transport);
    this.copier = new BlobCopier(session, attempts, backoff);
    this.platform = platform;
  }

  /** What crossed the network so far, over all images. */
  public record Stats(
      long blobsPresent,
      long blobsMounted,
      long blobsStreamed,
      long bytesStreamed,
      long blobsUploaded,
      long bytesUploaded,
      long imagesPushed) {}

  /**
   * The manifest digest {@code baseImage}'s reference resolved to in this run (an index's own, not
   * its platform child's), as a HEAD would have answered.
   */
  public Optional<String> resolvedBase(String baseImage) {
    return Optional.ofNullable(resolved.get(baseImage));
  }

  public Stats stats() {
    BlobCopier.Stats s = copier.stats();
    return new Stats(
        s.present(),
        s.mounted(),
        s.streamed(),
        s.streamedBytes(),
        s.uploaded(),
        s.uploadedBytes(),
        images.get());
  }

  /**
   * Assembles and pushes one image; returns the manifest digest the registry serves under the
   * target tag. Throws {@link RegistryFailure} (timed out past {@code timeout}; unreachable when a
   * registry refuses connections) with a message naming the call, the object and the HTTP status.
   */
  public String assemble(AppendRequest request, Path log, Duration timeout) {
    return assembleImage(request, log, timeout).digest();
  }

  /**
   * What went under the tag: its digest and, for an index, the platforms in it and the ones their
   * bases lack (both empty for a single-platform image).
   */
  public record Assembled(String digest, List<Platform> platforms, List<Platform> missing) {}

  /**
   * As {@link #assemble}; with the request's platforms, an OCI image index of one manifest per
   * platform (each on its own base, the agent layer shared) goes under the tag.
   */
  public Assembled assembleImage(AppendRequest request, Path log, Duration timeout) {
    Deadline deadline = Deadline.after(timeout);
    ImageLog out = new ImageLog(log);
    Repository target = Repository.of(request.target(), insecure);
    String tag = request.target().tag();
    if (!request.platforms().isEmpty()) {
      Assembled index = new PlatformIndex(this, target, request, deadline, out).assemble();
      // Every manifest put: one per platform, and the index.
      images.addAndGet(index.platforms().size() + 1L);
      mark(ImageMeter.Phase.OTHER);
      return index;
    }
    ResolvedBase base =
        resolveBase(request.baseImage(), platform, false, false, deadline, out).get();
    PlatformImage image = platformImage(base, target, request, request.layer(), deadline, out);
    String digest = putManifest(target, tag, image.mediaType(), image.bytes(), deadline);
    images.incrementAndGet();
    mark(ImageMeter.Phase.OTHER);
    out.line("pushed " + target + ":" + tag + " " + digest);
    return new Assembled(digest, List.of(), List.of());
  }

  /** A base resolved for one platform: its platform manifest and that manifest's config. */
  record ResolvedBase(
      BaseName name,
      Repository source,
      RegistrySession.Manifest manifest,
      ObjectNode manifestJson,
      ObjectNode config) {}

  /** One platform's image manifest, made but not yet put: its bytes and its base's config. */
  record PlatformImage(byte[] bytes, String mediaType, JsonNode baseConfig) {}

  /**
   * The base's manifest and config for {@code wanted}. With {@code lenient} (a platform of an
   * index), an index without {@code wanted} and a single image of another platform are empty: the
   * platform is missing, not the image failed; so is a base that doesn't exist when {@code
   * mayBeAbsent} (a base named for its platform, {@code {arch}}).
   */
  Optional<ResolvedBase> resolveBase(
      String baseImage,
      Platform wanted,
      boolean lenient,
      boolean mayBeAbsent,
      Deadline deadline,
      ImageLog out) {
    mark(ImageMeter.Phase.RESOLVE);
    BaseName base = BaseName.parse(baseImage);
    Repository source = Repository.of(base.image(), insecure);
    Optional<RegistrySession.Manifest> manifest =
        resolve(baseImage, source, base, wanted, lenient, mayBeAbsent, deadline, out);
    if (manifest.isEmpty()) {
      return Optional.empty();
    }
    ObjectNode baseManifest = (ObjectNode) read(manifest.get().bytes());
    String configDigest = baseManifest.path("config").path("digest").asText();
    ObjectNode baseConfig = (ObjectNode) read(session.getBlob(source, configDigest, deadline));
    if (!checkPlatform(baseConfig, base, wanted, lenient, out)) {
      return Optional.empty();
    }
    return Optional.of(new ResolvedBase(base, source, manifest.get(), baseManifest, baseConfig));
  }

  /**
   * One platform's image on its base with {@code layer}: base blobs crossed, the parents' and agent
   * layers uploaded (once per repository, whatever the platform), the config pushed; the manifest
   * made.
   */
  PlatformImage platformImage(
      ResolvedBase base,
      Repository target,
      AppendRequest request,
      Optional<AgentLayer> layer,
      Deadline deadline,
      ImageLog out) {
    mark(ImageMeter.Phase.PULL);
    for (JsonNode baseLayer : base.manifestJson().path("layers")) {
      crossBlob(base.source(), target, baseLayer, deadline, out);
    }
    mark(ImageMeter.Phase.BUILD);
    Optional<OwnedParents.Layer> parents =
        layer.flatMap(l -> ownedParents(l, base.source(), base.manifestJson(), deadline, out));
    mark(ImageMeter.Phase.PUSH);
    parents.ifPresent(p -> uploadParents(target, p, deadline, out));
    layer.ifPresent(l -> uploadLayer(target, l, deadline, out));
    mark(ImageMeter.Phase.MANIFEST);
    ObjectNode config =
        new ConfigEditor(request.plan())
            .apply(
                base.config(),
                new ConfigEditor.Base(base.name().fullName(), base.manifest().digest()),
                parents.map(OwnedParents.Layer::diffId),
                layer.map(AgentLayer::diffId),
                request.created());
    byte[] configBytes = pushConfig(target, config, deadline, out);
    String mediaType = base.manifest().mediaType();
    ObjectNode newManifest =
        manifestFor(base.manifestJson(), mediaType, configBytes, parents, layer);
    return new PlatformImage(write(newManifest), mediaType, base.config());
  }

  /** The phase the image this thread assembles is in now (see {@link ImageMeter#bind}). */
  private static void mark(ImageMeter.Phase phase) {
    ImageMeter.onThisThread().ifPresent(m -> m.mark(phase));
  }

  /** The directories a COPY --chown creates that this base lacks, as a layer of their own. */
  private Optional<OwnedParents.Layer> ownedParents(
      AgentLayer layer, Repository source, JsonNode baseManifest, Deadline deadline, ImageLog out) {
    ParentLookup lookup =
        parentLookups.computeIfAbsent(
            layer.digest(),
            p -> {
              OwnedParents parents = new OwnedParents(layer);
              return new ParentLookup(parents, new BaseDirectories(session, parents.lookups()));
            });
    if (lookup.parents().lookups().isEmpty()) {
      return Optional.empty();
    }
    List<JsonNode> layers = new ArrayList<>();
    baseManifest.path("layers").forEach(layers::add);
    return lookup.parents().layer(lookup.directories().existing(source, layers, deadline, out));
  }

  private record ParentLookup(OwnedParents parents, BaseDirectories directories) {}

  private void uploadParents(
      Repository target, OwnedParents.Layer layer, Deadline deadline, ImageLog out) {
    byte[] bytes = layer.bytes();
    copier.upload(
        target,
        layer.digest(),
        bytes.length,
        () -> HttpRequest.BodyPublishers.ofByteArray(bytes),
        true,
        deadline);
    out.line("parent directories layer " + layer.digest() + " in " + target);
  }

  /**
   * The new config as a blob of the target, in one request where the registry takes it. Images on
   * one base in one run have the same config: it crosses once, like any blob (two uploads of one
   * digest at once can make the registry fail the manifest that names it).
   */
  private byte[] pushConfig(Repository target, ObjectNode config, Deadline deadline, ImageLog out) {
    byte[] bytes = write(config);
    String digest = Digests.sha256(bytes);
    copier.uploadSmall(target, digest, bytes, deadline);
    out.line("pushed config " + digest + " (" + bytes.length + " bytes)");
    return bytes;
  }

  /**
   * PUT /v2/<name>/manifests/<tag>, one at a time per repository and manifest digest: the registry
   * stores a manifest as a blob, and two PUTs of the same bytes (images on one base, other tags)
   * racing on that blob fail one with DIGEST_INVALID.
   */
  String putManifest(
      Repository target, String tag, String mediaType, byte[] bytes, Deadline deadline) {
    Object lock =
        manifestLocks.computeIfAbsent(target + "@" + Digests.sha256(bytes), k -> new Object());
    synchronized (lock) {
      return session.putManifest(target, tag, mediaType, bytes, deadline);
    }
  }

  /**
   * The base's manifest with the new config, then the owned parents' layer (if any) and the agent
   * layer; same media type family.
   */
  private static ObjectNode manifestFor(
      ObjectNode baseManifest,
      String mediaType,
      byte[] config,
      Optional<OwnedParents.Layer> parents,
      Optional<AgentLayer> layer) {
    ObjectNode manifest = baseManifest.deepCopy();
    manifest.remove("subject");
    ObjectNode configDescriptor = (ObjectNode) manifest.get("config");
    configDescriptor.put("digest", Digests.sha256(config));
    configDescriptor.put("size", config.length);
    parents.ifPresent(
        p ->
            manifest
                .withArray("layers")
                .addObject()
                .put("mediaType", layerMediaType(mediaType))
                .put("digest", p.digest())
                .put("size", p.bytes().length));
    layer.ifPresent(
        l ->
            manifest
                .withArray("layers")
                .addObject()
                .put("mediaType", layerMediaType(mediaType))
                .put("digest", l.digest())
                .put("size", l.size()));
    return manifest;
  }

  /**
   * The base's image manifest for {@code wanted}, through an index when the tag names one; empty
   * when the index lacks it and {@code lenient}.
   */
  private Optional<RegistrySession.Manifest> resolve(
      String name,
      Repository source,
      BaseName base,
      Platform wanted,
      boolean lenient,
      boolean mayBeAbsent,
      Deadline deadline,
      ImageLog out) {
    RegistrySession.Manifest manifest;
    if (mayBeAbsent) {
      Optional<RegistrySession.Manifest> found =
          session.findManifest(source, base.reference(), deadline);
      if (found.isEmpty()) {
        out.line("base " + base.fullName() + " does not exist: no " + wanted + " image");
        return Optional.empty();
      }
      manifest = found.get();
    } else {
      manifest = session.getManifest(source, base.reference(), deadline);
    }
    resolved.put(name, manifest.digest());
    if (manifest.mediaType().equals(OCI_INDEX) || manifest.mediaType().equals(DOCKER_LIST)) {
      String chosen = null;
      for (JsonNode entry : read(manifest.bytes()).path("manifests")) {
        JsonNode p = entry.path("platform");
        if (wanted.matches(
            p.path("os").asText(), p.path("architecture").asText(), p.path("variant").asText())) {
          chosen = entry.path("digest").asText();
          break;
        }
      }
      if (chosen == null && lenient) {
        out.line("base " + base.fullName() + " is an index without a " + wanted + " image");
        return Optional.empty();
      }
      if (chosen == null) {
        throw RegistryFailure.failed(
            "resolve base " + base.fullName() + " failed: its index has no " + wanted + " image");
      }
      out.line("base " + base.fullName() + " is an index; " + wanted + " is " + chosen);
      manifest = session.getManifest(source, chosen, deadline);
    }
    if (!manifest.mediaType().equals(OCI_MANIFEST)
        && !manifest.mediaType().equals(DOCKER_MANIFEST)) {
      throw RegistryFailure.failed(
          "resolve base "
              + base.fullName()
              + " failed: its manifest type '"
              + manifest.mediaType()
              + "' is not an OCI or Docker v2 image manifest");
    }
    out.line("base " + base.fullName() + " " + manifest.digest());
    return Optional.of(manifest);
  }

  /**
   * Whether the base's config is {@code wanted}'s platform (a config without {@code os} is taken as
   * it is). Not lenient (one platform, as before indexes): a warning, and the image is made.
   */
  private static boolean checkPlatform(
      JsonNode config, BaseName base, Platform wanted, boolean lenient, ImageLog out) {
    String os = config.path("os").asText("");
    String architecture = config.path("architecture").asText("");
    if (os.isEmpty() || wanted.matches(os, architecture, config.path("variant").asText(""))) {
      return true;
    }
    String is = "base " + base.fullName() + " is " + os + "/" + architecture;
    if (lenient) {
      out.line(is + ": no " + wanted + " image");
      return false;
    }
    out.line("warning: " + is + ", not the requested " + wanted);
    return true;
  }

  /** Makes one base blob present in the target: already there, mounted, or streamed across. */
  private void crossBlob(
      Repository source, Repository target, JsonNode descriptor, Deadline deadline, ImageLog out) {
    String mediaType = descriptor.path("mediaType").asText("");
    if (mediaType.contains("foreign") || mediaType.contains("nondistributable")) {
      return; // referenced by URL, never pushed
    }
    // A base in the target repository itself (phased: the env image) holds every blob it names.
    copier.cross(
        source,
        target,
        descriptor.path("digest").asText(),
        descriptor.path("size").asLong(),
        deadline,
        out::line);
  }

  private void uploadLayer(Repository target, AgentLayer layer, Deadline deadline, ImageLog out) {
    boolean sent =
        copier.upload(
            target, layer.digest(), layer.size(), () -> ofFile(layer.file()), true, deadline);
    out.line("agent layer " + layer.digest() + (sent ? " pushed to " : " already in ") + target);
  }

  private static String layerMediaType(String manifestType) {
    return manifestType.equals(DOCKER_MANIFEST)
        ? "application/vnd.docker.image.rootfs.diff.tar.gzip"
        : "application/vnd.oci.image.layer.v1.tar+gzip";
  }

  private static HttpRequest.BodyPublisher ofFile(Path file) {
    try {
      return HttpRequest.BodyPublishers.ofFile(file);
    } catch (FileNotFoundException e) {
      throw new UncheckedIOException(e);
    }
  }

  static JsonNode read(byte[] bytes) {
    try {
      return JSON.readTree(bytes);
    } catch (IOException e) {
      throw RegistryFailure.failed("read registry JSON failed: " + e.getMessage());
    }
  }

  static byte[] write(JsonNode node) {
    try {
      return JSON.writeValueAsBytes(node);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
