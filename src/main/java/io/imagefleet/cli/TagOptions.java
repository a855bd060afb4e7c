package io.imagefleet.cli;

import picocli.CommandLine.Option;

/**
 * check's options that name the images a build makes: repository, stage and SDK commit. The
 * descriptions are build's, so the action's inputs of the same names read the same.
 */
final class TagOptions {
  @Option(
      names = "--sdk-commit",
      paramLabel = "SHA",
      description = "SDK commit for tags (default: git rev-parse HEAD in --sdk).")
  String sdkCommit;

  @Option(
      names = "--image",
      required = true,
      paramLabel = "REPO",
      description = "Repository of the final images, e.g. ghcr.io/org/agent.")
  String image;

  @Option(
      names = "--target",
      defaultValue = "",
      paramLabel = "NAME",
      description = "Build stage; also the tag's last part.")
  String target;
}
