package io.imagefleet.docker;

import static io.imagefleet.docker.DockerCalls.awaitOrCancel;
import static io.imagefleet.docker.DockerCalls.call;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.command.BuildImageCmd;
import com.github.dockerjava.api.command.BuildImageResultCallback;
import com.github.dockerjava.api.command.PullImageCmd;
import com.github.dockerjava.api.command.PushImageCmd;
import com.github.dockerjava.api.model.AuthConfig;
import com.github.dockerjava.api.model.BuildResponseItem;
import com.github.dockerjava.api.model.PullResponseItem;
import com.github.dockerjava.api.model.PushResponseItem;
import com.github.dockerjava.api.model.ResponseItem;
import io.imagefleet.registry.Credentials;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The daemon's streaming calls (build, push, pull): progress to a log, cancelled past a timeout.
 */
final class ImageStreams {
  private final DockerClient client;

  ImageStreams(DockerClient client) {
    this.client = client;
  }

  // POST /build (the engine's own builder; BuildKit needs a session the API client doesn't speak)
  String build(EngineBuild build, Path log, Duration timeout) {
    BuildImageCmd command =
        client
            .buildImageCmd()
            .withBaseDirectory(build.context().toFile())
            .withDockerfile(build.dockerfile().toFile())
            .withTags(Set.of(build.tag()))
            .withRemove(true)
            .withForcerm(true)
            .withPull(build.pull());
    if (build.target() != null && !build.target().isEmpty()) {
      command.withTarget(build.target());
    }
    if (build.network() != null && !build.network().isEmpty()) {
      command.withNetworkMode(build.network());
    }
    if (!build.platform().isEmpty()) {
      command.withPlatform(build.platform());
    }
    build.buildArgs().forEach(command::withBuildArg);
    try (ProgressLog sink = new ProgressLog(log)) {
      BuildImageResultCallback callback =
          call(
              "build " + build.tag(),
              () ->
                  command.exec(
                      new BuildImageResultCallback() {
                        @Override
                        public void onNext(BuildResponseItem item) {
                          sink.write(item);
                          super.onNext(item);
                        }
                      }));
      return awaitOrCancel(callback, timeout, "build", () -> callback.awaitImageId());
    }
  }

  // POST /images/<name>/push?tag=<tag>
  String push(
      String repository,
      String tag,
      Optional<Credentials.Login> login,
      Path log,
      Duration timeout) {
    PushImageCmd command = client.pushImageCmd(repository).withTag(tag);
    login.ifPresent(l -> command.withAuthConfig(auth(l)));
    String pushed = repository + ":" + tag;
    String[] digest = {null};
    this.<PushResponseItem>stream(
        "push " + pushed,
        "push",
        log,
        timeout,
        command::exec,
        item -> {
          if (item.getAux() != null && item.getAux().getDigest() != null) {
            digest[0] = item.getAux().getDigest();
          }
        });
    if (digest[0] == null) {
      throw new StepFailure("push " + pushed + " reported no digest", false);
    }
    return digest[0];
  }

  // POST /images/create?fromImage=<reference>
  void pull(String reference, Optional<Credentials.Login> login, Path log, Duration timeout) {
    PullImageCmd command = client.pullImageCmd(reference);
    login.ifPresent(l -> command.withAuthConfig(auth(l)));
    this.<PullResponseItem>stream(
        "pull " + reference, "pull", log, timeout, command::exec, item -> {});
  }

  /**
   * Runs a pull or push stream: progress to {@code log}, each item to {@code seen}, an error item
   * fails the step, past {@code timeout} the stream is cancelled.
   */
  private <I extends ResponseItem> void stream(
      String action,
      String step,
      Path log,
      Duration timeout,
      Function<ResultCallback.Adapter<I>, ResultCallback.Adapter<I>> exec,
      Consumer<I> seen) {
    try (ProgressLog sink = new ProgressLog(log)) {
      ResultCallback.Adapter<I> callback =
          call(
              action,
              () ->
                  exec.apply(
                      new ResultCallback.Adapter<>() {
                        @Override
                        public void onNext(I item) {
                          sink.write(item);
                          seen.accept(item);
                          if (item.isErrorIndicated()) {
                            onError(new StepFailure(action + " failed: " + errorOf(item), false));
                          }
                        }
                      }));
      awaitOrCancel(
          callback,
          timeout,
          step,
          () -> {
            callback.awaitCompletion();
            return null;
          });
    }
  }

  private static AuthConfig auth(Credentials.Login login) {
    return new AuthConfig().withUsername(login.username()).withPassword(login.password());
  }

  /** The message of a pull or push stream item that reports an error. */
  private static String errorOf(ResponseItem item) {
    return item.getErrorDetail() != null ? item.getErrorDetail().getMessage() : item.getError();
  }
}
