#!/usr/bin/env bash
# imagefleet build against the naive approach (sdist per image, docker build + push, no rmi), same
# workers, N images, in one run on this machine. Needs the rig .ci/run starts (dockerd, registry on
# 127.0.0.1:5000) and target/imagefleet.jar.
# Usage: bench/build-vs-naive.sh [N] [WORKERS] [BASE_MB] [SDIST: sleep|cpu]
#   sleep: the sdist command sleeps 1 s (idle); cpu: it keeps one core busy for 1 s, as a real build does.
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-50}
workers=${2:-4}
base_mb=${3:-20}
sdist_kind=${4:-sleep}
jar=$PWD/target/imagefleet.jar
docker=/usr/bin/docker
registry=127.0.0.1:5000
ns=bench$RANDOM
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
[ -f "$jar" ] || { echo "missing $jar; run: mvn -q package -DskipTests" >&2; exit 2; }

echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, Docker $($docker version -f '{{.Server.Version}}'), N=$n, workers=$workers, base layer ${base_mb} MB, sdist: 1 s $sdist_kind"

# Bases: busybox plus a unique random layer each, pushed, then removed locally.
mkdir -p "$work/common"
cp /bin/busybox "$work/common/"
printf 'FROM scratch\nCOPY busybox /bin/busybox\nRUN ["/bin/busybox","--install","-s","/bin"]\n' > "$work/common/Dockerfile"
DOCKER_BUILDKIT=1 $docker build -q --network=none -t $registry/$ns/busybox:1 "$work/common" >/dev/null
$docker push -q $registry/$ns/busybox:1 >/dev/null
for i in $(seq -w 1 "$n"); do
  d="$work/base-$i"; mkdir -p "$d"
  head -c $((base_mb * 1024 * 1024)) /dev/urandom > "$d/blob"
  printf 'FROM %s\nCOPY blob /blob\n' "$registry/$ns/busybox:1" > "$d/Dockerfile"
  DOCKER_BUILDKIT=1 $docker build -q --network=none -t "$registry/$ns/bases:i-$i" "$d" >/dev/null
  $docker push -q "$registry/$ns/bases:i-$i" >/dev/null
  $docker rmi -f "$registry/$ns/bases:i-$i" >/dev/null
  rm -f "$d/blob"
  echo "i-$i"
done > "$work/ids.txt"

# The SDK: its sdist takes 1 s, idle or on one busy core.
mkdir -p "$work/sdk"
printf '[project]\nname = "agent"\nversion = "0.1"\n' > "$work/sdk/pyproject.toml"
git -C "$work/sdk" init -q && git -C "$work/sdk" add . && git -C "$work/sdk" -c user.email=b@b -c user.name=b commit -qm sdk
case $sdist_kind in
  sleep) burn='sleep 1' ;;
  cpu) burn="timeout 1 sh -c 'while :; do :; done' || true" ;;
  *) echo "SDIST must be sleep or cpu" >&2; exit 2 ;;
esac
sdist_cmd="$burn; tar czf {out}/agent-0.1.tar.gz pyproject.toml"
cat > "$work/agent.Dockerfile" <<'DOCKERFILE'
ARG BASE_IMAGE
FROM ${BASE_IMAGE}
ARG SDIST
ARG SDK_COMMIT
COPY ${SDIST} /opt/agent/
RUN echo "$SDK_COMMIT" > /opt/agent/commit
DOCKERFILE

# Docker's own disk use: image layers plus containers' writable layers, from GET /system/df.
used() {
  curl -fsS --unix-socket /var/run/docker.sock http://docker/system/df \
    | jq '.LayersSize + ([.Containers[]?.SizeRw // 0] | add // 0)'
}
# Samples Docker's disk use every 0.5 s; writes the peak above the baseline when stopped.
sample() {
  local base peak now
  base=$(used); peak=$base
  trap 'echo $((peak - base)) > "$1"; exit 0' TERM
  while true; do now=$(used); [ "$now" -gt "$peak" ] && peak=$now; sleep 0.5; done
}

run_timed() { # label, peak-file, command...
  local label=$1 peakfile=$2; shift 2
  sample "$peakfile" & local sampler=$!
  local start end
  start=$(date +%s.%N)
  "$@" > "$work/$label.log" 2>&1 || { echo "$label failed:"; tail -n 5 "$work/$label.log"; }
  end=$(date +%s.%N)
  kill -TERM $sampler; wait $sampler 2>/dev/null || true
  echo "$start $end" > "$work/$label.time"
}

# imagefleet: sdist once, local engine build + push, rmi after push.
run_timed imagefleet "$work/imagefleet.peak" java -jar "$jar" build --benchmark custom --dataset "$work/ids.txt" \
  --base-image-template "$registry/$ns/bases:{id}" --sdk "$work/sdk" --sdist-command "$sdist_cmd" \
  --cache-dir "$work/cache" --dockerfile "$work/agent.Dockerfile" --image "$registry/$ns/fleet" --network none \
  --builder engine --workers "$workers" --batch-size 25 --min-free-gb 0 --output "$work/out"

# Naive: per image, build the sdist, docker build, docker push; nothing removed.
naive_one() {
  local id=$1 ctx
  ctx=$(mktemp -d "$work/ctx-XXXX")
  cp "$work/agent.Dockerfile" "$ctx/Dockerfile"
  (cd "$work/sdk" && sh -c "${sdist_cmd//\{out\}/$ctx}")
  DOCKER_BUILDKIT=0 $docker build -q --network none -t "$registry/$ns/naive:$id" \
    --build-arg "BASE_IMAGE=$registry/$ns/bases:$id" --build-arg SDIST=agent-0.1.tar.gz --build-arg SDK_COMMIT=0 "$ctx" >/dev/null
  $docker push -q "$registry/$ns/naive:$id" >/dev/null
}
export -f naive_one
export work docker registry ns sdist_cmd
run_timed naive "$work/naive.peak" bash -c "xargs -P $workers -I{} bash -c 'naive_one {}' < '$work/ids.txt'"

ok_fleet=$(grep -c '"status":"built"' "$work/out/manifest.jsonl" || true)
ok_naive=$(curl -fsS "http://$registry/v2/$ns/naive/tags/list" | tr ',' '\n' | grep -c 'i-' || true)
report() { # label, built
  read -r s e < "$work/$1.time"
  awk -v l="$1" -v s="$s" -v e="$e" -v b="$2" -v p="$(cat "$work/$1.peak")" \
    'BEGIN { w = e - s; printf "%-10s built=%d  wall=%.1f s  images/h=%.0f  peak Docker disk=+%.0f MiB\n", l, b, w, b * 3600 / w, p / 1048576 }'
}
report imagefleet "$ok_fleet"
report naive "$ok_naive"
read -r fs fe < "$work/imagefleet.time"; read -r ns_ ne < "$work/naive.time"
awk -v fs="$fs" -v fe="$fe" -v ns="$ns_" -v ne="$ne" 'BEGIN { printf "speed-up (naive wall / imagefleet wall): %.2fx\n", (ne - ns) / (fe - fs) }'

# Leave the daemon as we found it.
$docker images --format '{{.Repository}}:{{.Tag}}' | grep "^$registry/$ns/" | xargs -r $docker rmi -f >/dev/null 2>&1 || true
