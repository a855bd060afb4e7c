package io.imagefleet.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Build output directories in the manifest and disk.jsonl formats the build writes. */
final class Fixtures {
  static final Instant T0 = Instant.parse("2026-11-27T01:00:00Z");
  static final String HOSTILE = "evil__<script>alert(1)</script>\"&'";

  private Fixtures() {}

  /**
   * Six attempts over five images, plus one image from an older imagefleet without times: built
   * once; built after a retried attempt; failed twice (the first retried); skipped; failed once
   * with a hostile id, error and log.
   */
  static Path sample(Path dir) throws IOException {
    Files.createDirectories(dir.resolve("logs"));
    List<String> lines = new ArrayList<>();
    lines.add(
        record("ok__one", "built", 0, 0, 1, 30, null)
            + ",\"runs\":[{\"started\":\""
            + at(0)
            + "\",\"seconds\":30.0}]}");
    lines.add(
        record("ok__two", "built", 1, 5, 2, 75, null)
            + ",\"runs\":[{\"started\":\""
            + at(5)
            + "\",\"seconds\":20.0,\"error\":\"grpc server closed unexpectedly\"},"
            + "{\"started\":\""
            + at(30)
            + "\",\"seconds\":50.0}],\"future_field\":{\"x\":1}}");
    lines.add(
        record("bad__three", "failed", 0, 40, 2, 60, "build timed out after 8 s and was cancelled")
            + ",\"runs\":[{\"started\":\""
            + at(40)
            + "\",\"seconds\":25.0,\"error\":\"build timed out after 8 s and was cancelled\"},"
            + "{\"started\":\""
            + at(70)
            + "\",\"seconds\":30.0,\"error\":\"build timed out after 8 s and was cancelled\"}]}");
    lines.add(record("skip__four", "skipped", 1, 90, 0, 1, null) + "}");
    lines.add(
        record(HOSTILE, "failed", 0, 110, 1, 12, "exit 3 <img src=x onerror=alert(2)>")
            + ",\"runs\":[{\"started\":\""
            + at(110)
            + "\",\"seconds\":12.0,\"error\":\"exit 3 <img src=x onerror=alert(2)>\"}]}");
    lines.add(
        "{\"instance\":\"old__five\",\"tags\":[\"r/agent:1\"],\"status\":\"built\",\"attempts\":1,"
            + "\"seconds\":9.0}");
    lines.add("{\"instance\":\"torn");
    Files.write(dir.resolve("manifest.jsonl"), lines);
    Files.write(
        dir.resolve("disk.jsonl"),
        List.of(
            disk(0, 50, 20, null),
            disk(60, 18, 20, null),
            disk(61, 40, 20, 22L),
            disk(130, 38, 20, null)));
    Files.writeString(
        dir.resolve("logs").resolve(io.imagefleet.SafeFiles.fileName(HOSTILE) + ".log"),
        "Step 1/3 : FROM base\n</pre><script>alert(3)</script>\n\u001B[31mred\u001B[0m\nexit 3\n");
    Files.writeString(
        dir.resolve("summary.json"),
        "{\"planned\":7,\"built\":3,\"skipped\":1,\"failed\":2,\"notStarted\":1,\"alreadyDone\":0,"
            + "\"seconds\":130.0,\"imagesPerHour\":83.1,\"builder\":\"engine\",\"sdistBuilt\":true,"
            + "\"stoppedEarly\":null,\"freeBytesBefore\":53687091200,\"freeBytesAfter\":40802189312}");
    return dir;
  }

  /**
   * A run of {@code n} images, each built in one lane 10 s after the last: image i takes i s plus
   * {@code extra} of build, and 1 s of push.
   */
  static Path phased(Path out, int n, double push, double extra, double wall) throws IOException {
    Files.createDirectories(out);
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      double build = i + extra;
      double seconds = build + push;
      lines.add(
          Fixtures.record("img-" + i, "built", 0, i * 10, 1, seconds, null)
              + String.format(
                  Locale.ROOT,
                  ",\"phases\":{\"check\":0.0,\"build\":%.1f,\"push\":%.1f}}",
                  build,
                  push));
    }
    Files.write(out.resolve("manifest.jsonl"), lines);
    Files.writeString(
        out.resolve("summary.json"),
        String.format(
            Locale.ROOT,
            "{\"planned\":%d,\"built\":%d,\"seconds\":%.1f,\"diskWaitSeconds\":12.5}",
            n,
            n,
            wall));
    return out;
  }

  static String record(
      String id, String status, int lane, int start, int attempts, double seconds, String error) {
    String json =
        "{\"instance\":"
            + quote(id)
            + ",\"base\":\"b:1\",\"tags\":["
            + quote("127.0.0.1:5000/ns/agent:0123456-" + id)
            + "],\"status\":\""
            + status
            + "\",\"attempts\":"
            + attempts
            + ",\"seconds\":"
            + seconds
            + ",\"started\":\""
            + at(start)
            + "\",\"ended\":\""
            + at(start + seconds)
            + "\",\"lane\":"
            + lane;
    return error == null ? json : json + ",\"error\":" + quote(error);
  }

  static String at(double seconds) {
    return T0.plusMillis(Math.round(seconds * 1000)).toString();
  }

  static String disk(int at, long freeGib, long floorGib, Long prunedGib) {
    return String.format(
            Locale.ROOT,
            "{\"at\":\"%s\",\"free_bytes\":%d,\"floor_bytes\":%d",
            at(at),
            freeGib << 30,
            floorGib << 30)
        + (prunedGib == null ? "" : ",\"pruned_bytes\":" + (prunedGib << 30))
        + "}";
  }

  static String quote(String text) {
    try {
      return Shard.JSON.writeValueAsString(text);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
