package io.imagefleet.fleet;

import java.util.regex.Pattern;

/**
 * Which failures are worth another attempt: the registry or BuildKit hiccuped, not the Dockerfile.
 */
final class TransientFailures {
  private static final Pattern TRANSIENT =
      Pattern.compile(
          "(?i)((?:http|status(?: code)?|unexpected http status):?\\s*(?:5\\d\\d|429)|too many requests|service unavailable|bad gateway|gateway time-?out"
              + "|connection reset|connection refused|broken pipe|unexpected eof|i/o timeout|tls handshake timeout"
              + "|grpc server closed unexpectedly|transport is closing|context deadline exceeded"
              // How the daemon words a registry's 429 and a stream cut short.
              + "|toomanyrequests|premature end of|download failed after attempts)");

  private TransientFailures() {}

  static boolean isTransient(String message) {
    return message != null && TRANSIENT.matcher(message).find();
  }
}
