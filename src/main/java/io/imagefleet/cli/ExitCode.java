package io.imagefleet.cli;

/** The process exit codes of every imagefleet command; listed in {@code --help}. */
public enum ExitCode {
  OK(0, "success"),
  INTERNAL(1, "internal error, or a local file imagefleet could not read or write"),
  INVALID_INPUT(2, "invalid input (option, file, template or dataset)"),
  PREFLIGHT_THRESHOLD(3, "preflight threshold not met (not enough free disk)"),
  UNREACHABLE(4, "environment unreachable or unauthorized (Docker daemon, registry, GitHub)"),
  BUILD_PARTIAL(5, "build partial (failures or stopped early), or check found images missing"),
  DRIFT(6, "--check found drift");

  private final int code;
  private final String meaning;

  ExitCode(int code, String meaning) {
    this.code = code;
    this.meaning = meaning;
  }

  public int code() {
    return code;
  }

  public String meaning() {
    return meaning;
  }
}
