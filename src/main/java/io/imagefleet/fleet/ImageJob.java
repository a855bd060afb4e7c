package io.imagefleet.fleet;

import io.imagefleet.docker.CacheMode;
import io.imagefleet.registry.ImageReference;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Everything one image build needs: the context prepared for it and where the result goes. {@code
 * secrets} are BuildKit secret specs ({@code id=NAME,env=VAR} or {@code id=NAME,src=FILE}).
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
    List<String> secrets) {}
