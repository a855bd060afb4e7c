#!/usr/bin/env bash
# imagefleet build --builder phased against --builder engine, as issue #20 asks: N distinct bases in
# the local registry; a Dockerfile with a builder stage (makes the agent from the sdist), one RUN on
# the base (standing for installing a tool) and a COPY-only tail; W workers. Each round, into fresh
# repositories: (1) phased, cold (every env image built); (2) phased, a new SDK commit (a new
# sdist), env images present; (3) engine for that same new commit. Prints seconds, images/h, daemon
# builds and what append moved per leg, then the median and range of (3)/(2) over the rounds.
# Needs the rig .ci/run starts (dockerd, registry on 127.0.0.1:5000) and target/imagefleet.jar.
#   flock /tmp/imagefleet-docker.lock bench/phased-vs-engine.sh [N] [WORKERS] [ROUNDS] [BASE_MB]
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-100}
workers=${2:-4}
rounds=${3:-3}
base_mb=${4:-8}
jar=${JAR:-$PWD/target/imagefleet.jar}
docker=/usr/bin/docker
registry=127.0.0.1:5000
ns=bench$RANDOM
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
[ -f "$jar" ] || { echo "missing $jar; run: mvn -q package -DskipTests" >&2; exit 2; }

echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, Docker $($docker version -f '{{.Server.Version}}'), N=$n, workers=$workers, rounds=$rounds, base layer ${base_mb} MB"
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"

# Bases: busybox plus a unique random (incompressible) layer each, pushed, then removed locally.
mkdir -p "$work/common"
cp /bin/busybox "$work/common/"
printf 'FROM scratch\nCOPY busybox /bin/busybox\nRUN ["/bin/busybox","--install","-s","/bin"]\n' > "$work/common/Dockerfile"
DOCKER_BUILDKIT=1 $docker build -q --network=none -t $registry/$ns/busybox:1 "$work/common" >/dev/null
$docker push -q $registry/$ns/busybox:1 >/dev/null
t0=$(date +%s)
for i in $(seq -w 1 "$n"); do
  d="$work/base-$i"; mkdir -p "$d"
  head -c $((base_mb * 1024 * 1024)) /dev/urandom > "$d/blob"
  printf 'FROM %s\nCOPY blob /blob\n' "$registry/$ns/busybox:1" > "$d/Dockerfile"
  DOCKER_BUILDKIT=1 $docker build -q --network=none -t "$registry/$ns/bases:i-$i" "$d" >/dev/null
  $docker push -q "$registry/$ns/bases:i-$i" >/dev/null
  $docker rmi -f "$registry/$ns/bases:i-$i" >/dev/null
  rm -rf "$d"
  echo "i-$i"
done > "$work/ids.txt"
echo "made $n bases in $(( $(date +%s) - t0 )) s"

for v in a b; do
  mkdir -p "$work/sdist-$v"
  printf 'agent build %s\n' "$v" > "$work/sdist-$v/VERSION"
  head -c 2000000 /dev/urandom > "$work/sdist-$v/payload"
  tar czf "$work/agent-$v.tar.gz" -C "$work/sdist-$v" VERSION payload
done
cat > "$work/agent.Dockerfile" <<DOCKERFILE
ARG BASE_IMAGE
FROM $registry/$ns/busybox:1 AS builder
ARG SDIST
COPY \${SDIST} /src/
RUN mkdir -p /opt/agent/bin && tar xzf /src/\${SDIST} -C /opt/agent && cp /bin/busybox /opt/agent/bin/tool
FROM \${BASE_IMAGE}
RUN mkdir -p /workspace /usr/local/share/tool && seq 1 50000 > /usr/local/share/tool/data
ARG SDK_COMMIT
COPY --from=builder /opt/agent /opt/agent
ENV PATH=\$PATH:/opt/agent/bin
LABEL io.imagefleet.sdk-commit=\${SDK_COMMIT}
WORKDIR /workspace
DOCKERFILE

run() { # label, repository, builder, sdist, commit
  local start end
  start=$(date +%s.%N)
  java -jar "$jar" build --benchmark custom --dataset "$work/ids.txt" \
    --base-image-template "$registry/$ns/bases:{id}" --sdist "$4" --sdk-commit "$5" \
    --dockerfile "$work/agent.Dockerfile" --image "$registry/$ns/$2" --network none \
    --builder "$3" --workers "$workers" --batch-size 25 --min-free-gb 0 --output "$work/out-$1" \
    > "$work/$1.log" 2>&1
  end=$(date +%s.%N)
  local built
  built=$(grep -c '"status":"built"' "$work/out-$1/manifest.jsonl" || true)
  local builds
  if [ "$3" = engine ]; then builds=$built; else
    builds=$(grep -oE 'phased: [0-9]+ env image\(s\) built' "$work/$1.log" | grep -oE '[0-9]+' || echo '?'); fi
  local moved
  moved=$(grep -oE 'append moved .*' "$work/$1.log" | head -1 || true)
  awk -v l="$1" -v s="$start" -v e="$end" -v b="$built" -v d="$builds" -v m="${moved:-}" \
    'BEGIN { printf "%-16s built=%d  %.1f s  %.0f images/h  daemon builds=%s  %s\n", l, b, e - s, b * 3600 / (e - s), d, m }'
  awk -v s="$start" -v e="$end" 'BEGIN { print e - s }' > "$work/$1.seconds"
}

run warmup phased-warmup phased "$work/agent-a.tar.gz" 0000000aaaaaaa > /dev/null
for r in $(seq 1 "$rounds"); do
  echo "round $r (load $(cut -d' ' -f1-3 /proc/loadavg)):"
  run "phased-cold-$r" "phased-$r" phased "$work/agent-a.tar.gz" 1111111aaaaaaa
  run "phased-commit-$r" "phased-$r" phased "$work/agent-b.tar.gz" 2222222bbbbbbb
  run "engine-commit-$r" "engine-$r" engine "$work/agent-b.tar.gz" 2222222bbbbbbb
  awk -v p="$(cat "$work/phased-commit-$r.seconds")" -v e="$(cat "$work/engine-commit-$r.seconds")" \
    'BEGIN { printf "  new commit: engine / phased = %.1fx\n", e / p }' | tee -a "$work/ratios"
  # The engine leaves nothing behind; phased's env images were built through the daemon.
  $docker images --format '{{.Repository}}:{{.Tag}}' | grep -E "^$registry/$ns/" | xargs -r $docker rmi -f >/dev/null 2>&1 || true
done
grep -oE '[0-9.]+x' "$work/ratios" | tr -d x | sort -n | awk '
  { v[NR] = $1 } END { printf "engine / phased for a new SDK commit over %d rounds: median %.1fx, range %.1fx-%.1fx\n", NR, v[int((NR + 1) / 2)], v[1], v[NR] }'
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
$docker images --format '{{.Repository}}:{{.Tag}}' | grep -E "^$registry/$ns/|^imagefleet-append-stage" | xargs -r $docker rmi -f >/dev/null 2>&1 || true
