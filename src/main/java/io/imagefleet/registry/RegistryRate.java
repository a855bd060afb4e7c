package io.imagefleet.registry;

import io.imagefleet.ImagefleetException;
import io.imagefleet.InputText;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A request budget for one registry, {@code HOST[:PORT]=N/min} as {@code --registry-rate} takes it:
 * the registry as image references name it ({@code docker.io}, {@code ghcr.io}, {@code
 * 127.0.0.1:5000}), and requests a minute, {@code 0} for unlimited.
 */
public record RegistryRate(String host, long perMinute) {
  private static final Pattern FORM =
      Pattern.compile(
          "([a-z0-9]([a-z0-9-]*[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*|\\[[0-9a-f:.]+\\])(:[0-9]{1,5})?"
              + "=([0-9]{1,9})/min");

  public RegistryRate {
    host = canonicalHost(host);
  }

  /** Parses {@code HOST[:PORT]=N/min}; anything else exits 2 naming the option and the form. */
  public static RegistryRate parse(String value) {
    Matcher m = FORM.matcher(value.strip().toLowerCase(Locale.ROOT));
    if (!m.matches()) {
      throw ImagefleetException.invalidInput(
          "--registry-rate must be HOST[:PORT]=N/min such as ghcr.io=1500/min (0/min for"
              + " unlimited), got "
              + InputText.quote(value));
    }
    return new RegistryRate(
        m.group(1) + (m.group(5) == null ? "" : m.group(5)), Long.parseLong(m.group(6)));
  }

  /** Docker Hub's API hosts are budgeted as {@code docker.io}, the name image references use. */
  static String canonicalHost(String host) {
    String lower = host.toLowerCase(Locale.ROOT);
    return lower.equals("registry-1.docker.io") || lower.equals("index.docker.io")
        ? ImageReference.DOCKER_HUB
        : lower;
  }
}
