package io.imagefleet.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.model.Bind;
import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.StreamType;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** A short-lived container with no network, labelled as imagefleet's, removed whatever happens. */
final class HelperContainer {
  private final DockerClient client;

  HelperContainer(DockerClient client) {
    this.client = client;
  }

  /** Runs {@code command} in {@code image} and returns its stdout; a non-zero exit fails. */
  String run(String image, List<String> command, List<String> binds, Duration timeout) {
    String id = create(image, command, binds);
    try {
      client.startContainerCmd(id).exec();
      Integer status =
          client
              .waitContainerCmd(id)
              .start()
              .awaitStatusCode(timeout.toMillis(), TimeUnit.MILLISECONDS);
      StringBuilder out = new StringBuilder();
      StringBuilder err = new StringBuilder();
      readLogs(id, out, err, timeout);
      if (status == null || status != 0) {
        throw new StepFailure(
            "helper container (" + image + ") exited " + status + ": " + err.toString().strip(),
            false);
      }
      return out.toString();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StepFailure("interrupted while running a helper container", false);
    } finally {
      client.removeContainerCmd(id).withForce(true).exec();
    }
  }

  private String create(String image, List<String> command, List<String> binds) {
    return client
        .createContainerCmd(image)
        .withEntrypoint(command)
        .withCmd(List.of())
        .withLabels(Map.of("io.imagefleet.helper", "true"))
        .withHostConfig(
            HostConfig.newHostConfig()
                .withNetworkMode("none")
                .withBinds(binds.stream().map(Bind::parse).toList()))
        .exec()
        .getId();
  }

  private void readLogs(String id, StringBuilder out, StringBuilder err, Duration timeout)
      throws InterruptedException {
    client
        .logContainerCmd(id)
        .withStdOut(true)
        .withStdErr(true)
        .exec(
            new ResultCallback.Adapter<Frame>() {
              @Override
              public void onNext(Frame frame) {
                (frame.getStreamType() == StreamType.STDERR ? err : out)
                    .append(new String(frame.getPayload(), StandardCharsets.UTF_8));
              }
            })
        .awaitCompletion(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }
}
