package io.imagefleet.fleet;

import io.imagefleet.ImagefleetException;
import io.imagefleet.InputText;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The attestations buildx pushes beside each image. None by default: each is an untagged manifest
 * in the registry, and across a fleet they outnumber the images (the field's GHCR reports).
 */
public enum Attestations {
  NONE(false, false),
  PROVENANCE(true, false),
  SBOM(false, true),
  BOTH(true, true);

  private final boolean provenance;
  private final boolean sbom;

  Attestations(boolean provenance, boolean sbom) {
    this.provenance = provenance;
    this.sbom = sbom;
  }

  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The buildx flags: each attestation on or explicitly off. */
  List<String> buildxFlags() {
    return List.of("--provenance=" + provenance, "--sbom=" + sbom);
  }

  /** The value of {@code --attestations}; exit 2 naming the option for anything else. */
  public static Attestations of(String id) {
    return Arrays.stream(values())
        .filter(a -> a.id().equals(id))
        .findFirst()
        .orElseThrow(
            () ->
                ImagefleetException.invalidInput(
                    "--attestations must be none, provenance, sbom or both, got "
                        + InputText.quote(id)));
  }
}
