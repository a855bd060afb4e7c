# The imagefleet action image: a Maven build stage (dependencies in their own cached layer) and a
# runtime stage with a JRE, the Docker CLI and the buildx plugin. The bases are build args so that a
# machine that can't pull them can build equivalent ones (.ci/action-bases does, from Debian).
# Pinned by digest (a tag can be re-pointed); bump both with the tag.
ARG BUILD_BASE=maven:3.9.9-eclipse-temurin-17@sha256:f58d59b6273e785ac0a4477f6e9b5ba1d7731c75b906c0f7b34076f1851318cc
ARG RUNTIME_BASE=eclipse-temurin:17-jre-jammy@sha256:475d8e96b4b2bfe08999e5e854755c773af1581acdf959a4545d88f0696a2339

FROM ${BUILD_BASE} AS build
WORKDIR /src
COPY pom.xml .
RUN mvn -B -q -ntp dependency:go-offline
COPY src src
COPY workflows-templates workflows-templates
RUN mvn -B -q -ntp package -DskipTests -Dspotless.check.skip=true

# The Docker CLI from the runtime distribution's signed packages; only the client is kept.
FROM ${RUNTIME_BASE} AS docker-cli
RUN apt-get update -qq \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends docker.io \
 && cp /usr/bin/docker /docker

FROM ${RUNTIME_BASE}
ARG VERSION=0.1.0
# download: the buildx release file, pinned and checked against its SHA-256 (GitHub's runners);
# none: no buildx (a machine that can't reach GitHub); imagefleet then builds through the engine.
ARG BUILDX=download
# install: python3 and uv (pinned, and pip refuses any wheel whose SHA-256 is not listed) for the
# default --sdist-command; none: neither (a machine without PyPI; pass --sdist-command or --sdist).
ARG UV=install
ARG UV_VERSION=0.7.19
ARG UV_SHA256="5dee2c73fe29e8f119ac074ebb3b2aa4390272e5ab3a5f00f75ca16caf120d64 52b7d64a97b18196cccbbbd8036ad649a72b7b1a7fd4b22297219c55a733127c"
ARG BUILDX_VERSION=0.24.0
ARG BUILDX_SHA256=c41ed17ec05b6ebb50eeb02fb26cce90f16cd260b8d26ce73963428c6b2d6508
COPY --from=docker-cli /docker /usr/local/bin/docker
RUN set -eu; \
    mkdir -p /usr/local/lib/docker/cli-plugins; \
    if [ "$BUILDX" = download ]; then \
      apt-get update -qq; \
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends curl ca-certificates; \
      curl -fsSL -o /usr/local/lib/docker/cli-plugins/docker-buildx \
        "https://github.com/docker/buildx/releases/download/v${BUILDX_VERSION}/buildx-v${BUILDX_VERSION}.linux-amd64"; \
      echo "${BUILDX_SHA256}  /usr/local/lib/docker/cli-plugins/docker-buildx" | sha256sum -c -; \
      chmod +x /usr/local/lib/docker/cli-plugins/docker-buildx; \
      apt-get purge -y -qq curl; apt-get autoremove -y -qq; \
    fi; \
    if [ "$UV" = install ]; then \
      apt-get update -qq; \
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3 python3-venv; \
      python3 -m venv /opt/uv; \
      requirement="uv==${UV_VERSION}"; \
      for hash in $UV_SHA256; do requirement="$requirement --hash=sha256:$hash"; done; \
      echo "$requirement" > /tmp/uv.txt; \
      /opt/uv/bin/pip install --no-cache-dir -q --require-hashes --only-binary :all: -r /tmp/uv.txt; \
      rm /tmp/uv.txt; \
      ln -s /opt/uv/bin/uv /usr/local/bin/uv; \
    fi; \
    rm -rf /var/lib/apt/lists/* /var/cache/apt/* /usr/share/doc/* /usr/share/man/*
COPY --from=build /src/target/imagefleet.jar /opt/imagefleet/imagefleet.jar
LABEL org.opencontainers.image.title="imagefleet" \
      org.opencontainers.image.description="Batch builds of per-instance benchmark images, as a GitHub Action" \
      org.opencontainers.image.source="https://github.com/imagefleet/imagefleet" \
      org.opencontainers.image.version="${VERSION}"
# GitHub runs the action with --workdir /github/workspace; relative paths resolve there. It runs
# as root: GitHub requires Docker actions to (the workspace and file-command mounts belong to the
# runner's user, whose uid the image can't know); see docs/SECURITY.md.
ENTRYPOINT ["java", "-XX:+UseSerialGC", "-jar", "/opt/imagefleet/imagefleet.jar", "action"]
