package io.imagefleet.retain;

/** Deletes one manifest by digest: through the registry API, or GitHub's package versions. */
public interface ManifestDeleter {
  void delete(String digest);

  /** How it deletes, for the report. */
  String describe();
}
