package io.imagefleet.sdist;

import io.imagefleet.ImagefleetException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Which variables the sdist command sees: an allow-list of what a Python build (uv, pip,
 * setuptools) needs, plus the names given with {@code --sdist-env}. The command runs the SDK's own
 * build code, which has no business with imagefleet's credentials or the rest of the environment.
 */
public record SdistEnvironment(List<String> passed, String tokenVariable) {
  /** Names passed as they are: the shell's basics, caches, CA bundles, proxies. */
  static final Set<String> NAMES =
      Set.of(
          "PATH",
          "HOME",
          "USER",
          "LOGNAME",
          "LANG",
          "LANGUAGE",
          "TMPDIR",
          "TZ",
          "XDG_CACHE_HOME",
          "XDG_CONFIG_HOME",
          "XDG_DATA_HOME",
          "VIRTUAL_ENV",
          "SOURCE_DATE_EPOCH",
          "SSL_CERT_FILE",
          "SSL_CERT_DIR",
          "REQUESTS_CA_BUNDLE",
          "HTTP_PROXY",
          "HTTPS_PROXY",
          "NO_PROXY",
          "ALL_PROXY",
          "http_proxy",
          "https_proxy",
          "no_proxy",
          "all_proxy");

  /** Prefixes passed: locale, uv, pip, Python, and setuptools-scm's version for a tarball SDK. */
  static final List<String> PREFIXES =
      List.of("LC_", "UV_", "PIP_", "PYTHON", "SETUPTOOLS_SCM_PRETEND_VERSION");

  /** Where imagefleet's own credentials live; never passed, not even by name. */
  private static final List<String> CREDENTIAL_PREFIXES =
      List.of("IMAGEFLEET_REGISTRY_", "INPUT_", "ACTIONS_RUNTIME_", "ACTIONS_ID_TOKEN_");

  private static final Set<String> CREDENTIALS = Set.of("GITHUB_TOKEN", "GH_TOKEN");
  private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

  /** Exit 2 for a name that is no variable name, or that names a credential. */
  public SdistEnvironment {
    passed = List.copyOf(passed);
    for (String name : passed) {
      if (!NAME.matcher(name).matches()) {
        throw ImagefleetException.invalidInput(
            "--sdist-env "
                + name
                + ": not an environment variable name; use letters, digits and _, not starting"
                + " with a digit");
      }
      if (name.equals(tokenVariable)) {
        throw ImagefleetException.invalidInput(
            "--sdist-env "
                + name
                + ": that is --token-env's variable, which the sdist command never sees; drop it"
                + " from --sdist-env");
      }
      if (isCredential(name)) {
        throw ImagefleetException.invalidInput(
            "--sdist-env "
                + name
                + ": imagefleet's own credentials never reach the sdist command; drop it from"
                + " --sdist-env");
      }
    }
  }

  /** No names passed; the token in {@code GITHUB_TOKEN}. */
  public static SdistEnvironment allowListOnly() {
    return new SdistEnvironment(List.of(), "GITHUB_TOKEN");
  }

  /** The variables of {@code environment} the command may see. */
  Map<String, String> of(Map<String, String> environment) {
    Map<String, String> kept = new TreeMap<>(environment);
    kept.keySet().removeIf(name -> !allows(name));
    return kept;
  }

  private boolean allows(String name) {
    boolean listed =
        NAMES.contains(name)
            || PREFIXES.stream().anyMatch(name::startsWith)
            || passed.contains(name);
    // The token's variable may match a prefix (UV_TOKEN): it stays out all the same.
    return listed && !name.equals(tokenVariable) && !isCredential(name);
  }

  private static boolean isCredential(String name) {
    return CREDENTIALS.contains(name) || CREDENTIAL_PREFIXES.stream().anyMatch(name::startsWith);
  }
}
