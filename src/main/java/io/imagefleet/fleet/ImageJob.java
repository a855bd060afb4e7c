package io.imagefleet.fleet;

import io.imagefleet.ImageMeter;
import io.imagefleet.docker.CacheMode;
import io.imagefleet.registry.ImageReference;
import io.imagefleet.registry.Platform;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything one image build needs: the context prepared for it and where the result goes. {@code
 * secrets} are BuildKit secret specs ({@code id=NAME,env=VAR} or {@code id=NAME,src=FILE}); the
 * builder marks its phases on {@code meter}; {@code platform} ({@code os/arch[/variant]}) empty
 * builds the builder's own platform or the run's.
 */
public record ImageJob(
    String instance,
    String baseImage,
    ImageReference image,
    Path context,
    Path dockerfile,
    String target,
    Map<String, String> buildArgs,
    String network,
    boolean push,
    CacheMode cacheMode,
    List<String> secrets,
    ImageMeter meter,
    String platform) {

  /** A job whose phases nobody reads. */
  ImageJob(
      String instance,
      String baseImage,
      ImageReference image,
      Path context,
      Path dockerfile,
      String target,
      Map<String, String> buildArgs,
      String network,
      boolean push,
      CacheMode cacheMode,
      List<String> secrets) {
    this(
        instance,
        baseImage,
        image,
        context,
        dockerfile,
        target,
        buildArgs,
        network,
        push,
        cacheMode,
        secrets,
        ImageMeter.none(),
        "");
  }

  /** This job, its phases marked on {@code other}. */
  ImageJob metered(ImageMeter other) {
    return copy(baseImage, buildArgs, other, platform);
  }

  /** This job, built for {@code other} alone. */
  ImageJob on(Platform other) {
    return copy(baseImage, buildArgs, meter, other.toString());
  }

  /**
   * This job on {@code base}; with {@code asArg}, its {@code BASE_IMAGE} build arg too (when it has
   * one).
   */
  ImageJob onBase(String base, boolean asArg) {
    Map<String, String> args = new LinkedHashMap<>(buildArgs);
    if (asArg && args.containsKey("BASE_IMAGE")) {
      args.put("BASE_IMAGE", base);
    }
    return copy(base, args, meter, platform);
  }

  private ImageJob copy(
      String base, Map<String, String> args, ImageMeter phases, String onPlatform) {
    return new ImageJob(
        instance,
        base,
        image,
        context,
        dockerfile,
        target,
        args,
        network,
        push,
        cacheMode,
        secrets,
        phases,
        onPlatform);
  }
}
