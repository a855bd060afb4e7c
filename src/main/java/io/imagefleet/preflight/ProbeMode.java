package io.imagefleet.preflight;

/** How the daemon's data root is measured. */
public enum ProbeMode {
  /** Directly when this process sees the path and runs on the host, else through a helper. */
  AUTO,
  DIRECT,
  HELPER
}
