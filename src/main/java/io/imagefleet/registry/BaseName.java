package io.imagefleet.registry;

/** An image name as given: with a tag (latest by default) or a digest. */
public record BaseName(ImageReference image, String reference) {
  public static BaseName parse(String text) {
    int at = text.indexOf('@');
    ImageReference image = ImageReference.parse(at < 0 ? text : text.substring(0, at));
    return new BaseName(image, at < 0 ? image.tag() : text.substring(at + 1));
  }

  /** As the OCI base.name label wants it: registry, repository and tag or digest. */
  public String fullName() {
    String separator = reference.startsWith("sha256:") ? "@" : ":";
    return image.registry() + "/" + image.repository() + separator + reference;
  }
}
