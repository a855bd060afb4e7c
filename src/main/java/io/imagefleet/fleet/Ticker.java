package io.imagefleet.fleet;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** The build's time: a monotonic clock for durations and the wall clock for the report. */
interface Ticker {
  DateTimeFormatter INSTANT =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

  long nanos();

  Instant now();

  /** {@link #now} as the report writes it: ISO-8601 UTC with milliseconds. */
  default String stamp() {
    return INSTANT.format(now());
  }

  Ticker SYSTEM =
      new Ticker() {
        @Override
        public long nanos() {
          return System.nanoTime();
        }

        @Override
        public Instant now() {
          return Instant.now();
        }
      };
}
