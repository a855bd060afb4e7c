package io.imagefleet.append.assembly;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.imagefleet.append.layer.AgentLayer;
import io.imagefleet.registry.Deadline;
import io.imagefleet.registry.Digests;
import io.imagefleet.registry.Platform;
import io.imagefleet.registry.RegistryFailure;
import io.imagefleet.registry.Repository;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * One multi-platform image: each platform's base resolved first (a platform its base lacks is
 * missing, and with {@code failOnMissing} the image fails before anything is pushed), then one
 * image manifest per platform put by digest, and an OCI image index naming them put under the tag.
 * Each platform gets its own agent layer; a layer made from the context alone is the same blob for
 * every platform, so it crosses once.
 */
final class PlatformIndex {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private final AppendAssembler assembler;
  private final Repository target;
  private final AppendRequest request;
  private final Deadline deadline;
  private final ImageLog out;

  PlatformIndex(
      AppendAssembler assembler,
      Repository target,
      AppendRequest request,
      Deadline deadline,
      ImageLog out) {
    this.assembler = assembler;
    this.target = target;
    this.request = request;
    this.deadline = deadline;
    this.out = out;
  }

  AppendAssembler.Assembled assemble() {
    // Bases named per platform ({arch}) may not all exist; one shared base must.
    boolean named =
        request.platforms().stream().map(AppendRequest.PlatformBase::baseImage).distinct().count()
            > 1;
    Map<Platform, AppendAssembler.ResolvedBase> bases = new LinkedHashMap<>();
    Map<Platform, Optional<AgentLayer>> layers = new LinkedHashMap<>();
    List<Platform> missing = new ArrayList<>();
    for (AppendRequest.PlatformBase p : request.platforms()) {
      layers.put(p.platform(), p.layer());
      assembler
          .resolveBase(p.baseImage(), p.platform(), true, named, deadline, out)
          .ifPresentOrElse(b -> bases.put(p.platform(), b), () -> missing.add(p.platform()));
    }
    if (bases.isEmpty()) {
      throw RegistryFailure.failed(
          "assemble "
              + request.target()
              + " failed: no base has any of the platforms "
              + list(missing)
              + " ("
              + baseNames()
              + ")");
    }
    if (!missing.isEmpty() && request.failOnMissing()) {
      throw RegistryFailure.failed(
          "assemble "
              + request.target()
              + " failed: no "
              + list(missing)
              + " image in "
              + baseNames()
              + " (--missing-platform fail; skip makes the index without it)");
    }
    ObjectNode index = NODES.objectNode();
    index.put("schemaVersion", 2);
    index.put("mediaType", AppendAssembler.OCI_INDEX);
    var manifests = index.putArray("manifests");
    bases.forEach(
        (platform, base) -> {
          AppendAssembler.PlatformImage image =
              assembler.platformImage(base, target, request, layers.get(platform), deadline, out);
          String digest = Digests.sha256(image.bytes());
          assembler.putManifest(target, digest, image.mediaType(), image.bytes(), deadline);
          out.line("pushed " + platform + " manifest " + target + "@" + digest);
          ObjectNode entry = manifests.addObject();
          entry.put("mediaType", image.mediaType());
          entry.put("digest", digest);
          entry.put("size", image.bytes().length);
          entry.set("platform", descriptorPlatform(platform, image.baseConfig()));
        });
    byte[] bytes = AppendAssembler.write(index);
    String tag = request.target().tag();
    String digest = assembler.putManifest(target, tag, AppendAssembler.OCI_INDEX, bytes, deadline);
    out.line(
        "pushed index "
            + target
            + ":"
            + tag
            + " "
            + digest
            + " ("
            + list(List.copyOf(bases.keySet()))
            + (missing.isEmpty() ? "" : "; missing " + list(missing))
            + ")");
    return new AppendAssembler.Assembled(digest, List.copyOf(bases.keySet()), missing);
  }

  /** The index entry's platform: what the base's config says it is, else what was asked for. */
  private static ObjectNode descriptorPlatform(Platform asked, JsonNode config) {
    ObjectNode platform = NODES.objectNode();
    String os = config.path("os").asText("");
    boolean fromConfig = !os.isEmpty();
    platform.put(
        "architecture", fromConfig ? config.path("architecture").asText() : asked.architecture());
    platform.put("os", fromConfig ? os : asked.os());
    String variant = fromConfig ? config.path("variant").asText("") : asked.variant();
    if (!variant.isEmpty()) {
      platform.put("variant", variant);
    }
    Optional.ofNullable(config.get("os.version"))
        .filter(JsonNode::isTextual)
        .ifPresent(v -> platform.put("os.version", v.asText()));
    return platform;
  }

  private String baseNames() {
    return request.platforms().stream()
        .map(AppendRequest.PlatformBase::baseImage)
        .distinct()
        .collect(Collectors.joining(", "));
  }

  private static String list(List<Platform> platforms) {
    return platforms.stream().map(Platform::toString).collect(Collectors.joining(", "));
  }
}
