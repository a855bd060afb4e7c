#!/usr/bin/env bash
# imagefleet build --builder append against --builder engine: N distinct bases (~BASE_MB each) in
# the local registry, the same multi-stage Dockerfile (a builder stage that runs commands, a last
# stage that copies its result and the sdist and sets ENV/LABEL/WORKDIR), the same workers, one run
# of this script, one after the other; each timed end to end as a user's second run (warm caches,
# see the warm-ups below). Needs the rig .ci/run starts (dockerd, registry on
# 127.0.0.1:5000) and target/imagefleet.jar. Run it under the shared lock:
#   flock /tmp/imagefleet-docker.lock bench/append-vs-engine.sh [N] [WORKERS] [BASE_MB] [ENGINE_N]
# ENGINE_N (default N) builds only the first ENGINE_N images with the engine, when it is too slow.
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-100}
workers=${2:-4}
base_mb=${3:-8}
engine_n=${4:-$n}
jar=${JAR:-$PWD/target/imagefleet.jar}
docker=/usr/bin/docker
registry=127.0.0.1:5000
ns=bench$RANDOM
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
[ -f "$jar" ] || { echo "missing $jar; run: mvn -q package -DskipTests" >&2; exit 2; }

echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, Docker $($docker version -f '{{.Server.Version}}'), N=$n (engine: $engine_n), workers=$workers, base layer ${base_mb} MB"

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
head -n "$engine_n" "$work/ids.txt" > "$work/engine-ids.txt"
echo "made $n bases in $(( $(date +%s) - t0 )) s"

mkdir -p "$work/sdk"
printf '[project]\nname = "agent"\nversion = "0.1"\n' > "$work/sdk/pyproject.toml"
git -C "$work/sdk" init -q && git -C "$work/sdk" add . && git -C "$work/sdk" -c user.email=b@b -c user.name=b commit -qm sdk
cat > "$work/agent.Dockerfile" <<DOCKERFILE
ARG BASE_IMAGE
FROM $registry/$ns/busybox:1 AS builder
RUN mkdir -p /opt/agent/bin && seq 1 200000 > /opt/agent/data && cp /bin/busybox /opt/agent/bin/tool
FROM \${BASE_IMAGE}
ARG SDIST
ARG SDK_COMMIT
COPY --from=builder /opt/agent /opt/agent
COPY \${SDIST} /opt/imagefleet/
ENV PATH=/opt/agent/bin:\$PATH
LABEL io.imagefleet.sdk-commit=\${SDK_COMMIT}
WORKDIR /testbed
DOCKERFILE

run() { # label, ids, builder[, base registry]; every console line gets a time stamp
  local start end
  start=$(date +%s.%N)
  java -jar "$jar" build --benchmark custom --dataset "$2" \
    --base-image-template "${4:-$registry}/$ns/bases:{id}" --sdk "$work/sdk" \
    --sdist-command "tar czf {out}/agent-0.1.tar.gz pyproject.toml" --cache-dir "$work/cache" \
    --dockerfile "$work/agent.Dockerfile" --image "$registry/$ns/$1" --network none \
    --builder "$3" --workers "$workers" --batch-size 25 --min-free-gb 0 --output "$work/out-$1" 2>&1 \
    | while IFS= read -r line; do printf '%s %s\n' "$(date +%s.%N)" "$line"; done > "$work/$1.log"
  end=$(date +%s.%N)
  echo "$start $end" > "$work/$1.time"
}
# Both builders are timed as a user's second run: the warm-ups build and cache the sdist, and
# append's builder stage export and agent layer (in --cache-dir, keyed by content), with one image
# each to repositories of their own, so the timed runs still build every image. The timed append
# run must say "reused from the cache" for the stage and the layer (checked below); the engine's
# warm-up leaves the stage in the daemon's build cache likewise.
head -n 1 "$work/ids.txt" > "$work/warmup-ids.txt"
run warmup "$work/warmup-ids.txt" engine
run warmup-append "$work/warmup-ids.txt" append
run append "$work/ids.txt" append
run engine "$work/engine-ids.txt" engine
# The same bases named through localhost:5000: another registry as far as imagefleet can tell, so
# every base blob is streamed GET -> PUT instead of mounted (per-blob throughput, loopback).
run stream "$work/ids.txt" append localhost:5000

report() { # label
  local built s e go done_
  built=$(grep -c '"status":"built"' "$work/out-$1/manifest.jsonl" || true)
  read -r s e < "$work/$1.time"
  # Start-up (JVM, plan, registry checks, stage build and layer for append) ends when the console
  # announces the images to do; the images end with the closing "built N" line.
  go=$(grep -m1 ' imagefleet build: [0-9]* of [0-9]* images to do' "$work/$1.log" | cut -d' ' -f1)
  done_=$(grep -m1 ' imagefleet build: built ' "$work/$1.log" | cut -d' ' -f1)
  awk -v l="$1" -v s="$s" -v e="$e" -v g="$go" -v d="$done_" -v b="$built" \
    'BEGIN { printf "%-7s built=%d  wall=%.1f s  start-up=%.1f s  images=%.1f s  s/image excl. start-up=%.3f  images/h=%.0f\n", l, b, e - s, g - s, d - g, (d - g) / b, b * 3600 / (e - s) }'
  echo "$(awk -v s="$s" -v e="$e" 'BEGIN{print e - s}') $(awk -v g="$go" -v d="$done_" -v b="$built" 'BEGIN{print (d - g) / b}')" > "$work/$1.figures"
}
grep -q "stage 'builder' reused from the cache" "$work/append.log" \
  && grep -q 'reused from the cache for every image' "$work/append.log" \
  || { echo "the timed append run did not reuse the cached stage and layer:" >&2; cat "$work/append.log" >&2; exit 1; }
report append
report engine
report stream
read -r aw ai < "$work/append.figures"; read -r ew ei < "$work/engine.figures"
awk -v aw="$aw" -v ew="$ew" -v ai="$ai" -v ei="$ei" -v n="$n" -v en="$engine_n" \
  'BEGIN { printf "speed-up end to end (wall per image): %.1fx; per image excl. start-up: %.1fx\n", (ew / en) / (aw / n), ei / ai }'
grep -h 'append moved\|agent layer sha256\|built stage\|reused from the cache' "$work/append.log" | cut -d' ' -f2- | sed 's/^imagefleet build: //'
echo "stream: $(grep -h 'append moved' "$work/stream.log" | cut -d' ' -f2- | sed 's/^imagefleet build: //')"
read -r sw si < "$work/stream.figures"
bytes=$(grep -h 'append moved' "$work/stream.log" | sed -E 's/.*moved ([0-9]+) bytes.*/\1/')
awk -v b="$bytes" -v si="$si" -v n="$n" 'BEGIN { printf "stream throughput (streamed bytes over the image phase): %.1f MB/s\n", b / (si * n) / 1e6 }'
echo "engine: pulled $engine_n bases of ${base_mb} MiB (+ busybox) into the daemon, built, pushed each image"

# Leave the daemon as we found it.
$docker images --format '{{.Repository}}:{{.Tag}}' | grep -E "^$registry/$ns/|^imagefleet-append-stage" | xargs -r $docker rmi -f >/dev/null 2>&1 || true
