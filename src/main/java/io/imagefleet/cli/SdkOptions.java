package io.imagefleet.cli;

import io.imagefleet.sdist.SdkInput;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Option;

/** build's options that say where the SDK comes from: a directory, or a GitHub repository. */
final class SdkOptions {
  @Option(names = "--sdk", paramLabel = "DIR", description = "The SDK's source directory.")
  Path sdk;

  @Option(
      names = "--sdk-repo",
      paramLabel = "OWNER/NAME",
      description = "Take the SDK from this GitHub repository at --sdk-ref instead of --sdk.")
  String sdkRepo;

  @Option(
      names = "--sdk-ref",
      paramLabel = "REF",
      description = "Branch, tag or (short) SHA of --sdk-repo; resolved to the full commit SHA.")
  String sdkRef;

  /** {@code tokenVariable} is --token-env's: the sdist command never sees it. */
  SdkInput input(SdistOptions sdist, String tokenVariable, Map<String, String> environment) {
    return new SdkInput(
        Optional.ofNullable(sdk),
        Optional.ofNullable(sdkRepo),
        Optional.ofNullable(sdkRef),
        Optional.ofNullable(sdist.sdkCommit),
        sdist.sdistCommand,
        sdist.environment(tokenVariable),
        Optional.ofNullable(sdist.sdistFile),
        Optional.ofNullable(sdist.cacheDir),
        environment);
  }
}
