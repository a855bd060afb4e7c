package io.imagefleet.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.imagefleet.docker.DockerJavaDaemon;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The rig the Docker- and registry-shaped tests stand on: a base image made from busybox, pushed to
 * the local registry and visible there by tag. Fails under CI when Docker or the registry is
 * missing.
 */
class TestRigIT {

  @Test
  void aBusyboxBaseImagePushedToTheLocalRegistryIsThereByTag() throws Exception {
    TestRegistry.require();
    try (DockerJavaDaemon daemon = TestDocker.daemon()) {
      assertThat(daemon.info().rootDir()).isNotBlank();
      String tag = "t" + UUID.randomUUID().toString().substring(0, 8);
      String image = TestRegistry.HOST + "/imagefleet-test/rig:" + tag;

      TestDocker.buildBusyboxImage(image, tag, Map.of());
      TestDocker.docker(Map.of(), "push", image);

      HttpResponse<Void> head = TestRegistry.headManifest("imagefleet-test/rig", tag);
      assertThat(head.statusCode()).isEqualTo(200);
      assertThat(head.headers().firstValue("Docker-Content-Digest"))
          .hasValueSatisfying(d -> assertThat(d).startsWith("sha256:"));
      assertThat(TestRegistry.headManifest("imagefleet-test/rig", "absent-" + tag).statusCode())
          .isEqualTo(404);
      TestDocker.docker(Map.of(), "rmi", image);
    }
  }
}
