package io.imagefleet.retain;

import io.imagefleet.registry.RepositoryApi;

/** Deletes through the distribution API: {@code DELETE /v2/<name>/manifests/<digest>}. */
public record RegistryDeleter(RepositoryApi api) implements ManifestDeleter {
  @Override
  public void delete(String digest) {
    api.deleteManifest(digest);
  }

  @Override
  public String describe() {
    return "through the registry API";
  }
}
