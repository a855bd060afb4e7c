package io.imagefleet.fleet;

import io.imagefleet.registry.ImageReference;

/** One instance's image: where it starts from and the final reference it gets. */
public record PlannedImage(String instance, String baseImage, ImageReference image) {}
