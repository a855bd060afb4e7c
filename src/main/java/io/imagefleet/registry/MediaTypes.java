package io.imagefleet.registry;

/** The manifest media types imagefleet reads and writes: OCI and Docker v2, image and index. */
public final class MediaTypes {
  public static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";
  public static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
  public static final String DOCKER_LIST =
      "application/vnd.docker.distribution.manifest.list.v2+json";
  public static final String DOCKER_MANIFEST =
      "application/vnd.docker.distribution.manifest.v2+json";

  private MediaTypes() {}

  /** Whether a manifest of this type lists others (an OCI index or a Docker manifest list). */
  public static boolean index(String mediaType) {
    return OCI_INDEX.equals(mediaType) || DOCKER_LIST.equals(mediaType);
  }

  /** Whether a manifest of this type is one image (OCI or Docker v2). */
  public static boolean image(String mediaType) {
    return OCI_MANIFEST.equals(mediaType) || DOCKER_MANIFEST.equals(mediaType);
  }
}
