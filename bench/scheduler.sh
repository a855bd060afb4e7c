#!/usr/bin/env bash
# The scheduler: 16 images, 4 workers, one in four sleeps 8 s in its RUN step and the rest 1 s.
# Runs imagefleet build side by side in one script: --batch-size 4, --batch-size 16, and
# --batch-size 4 with --history (slowest first, from the first run's manifest). Needs the rig .ci/run
# starts (dockerd without a bridge, registry on 127.0.0.1:5000) and target/imagefleet.jar.
# With OLD_JAR=path (a jar built from before issue #13, e.g. `git archive f510b05`), that jar's
# batch scheduler runs the same two batch sizes alongside, as old-batch-4 and old-batch-16.
# Usage: [ROUNDS=2] [OLD_JAR=jar] bench/scheduler.sh [N] [WORKERS] [SLOW_SECONDS] [FAST_SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-16}
workers=${2:-4}
slow=${3:-8}
fast=${4:-1}
jar=$PWD/target/imagefleet.jar
docker=/usr/bin/docker
registry=127.0.0.1:5000
ns=sched$RANDOM
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
[ -f "$jar" ] || { echo "missing $jar; run: mvn -q package -DskipTests" >&2; exit 2; }

echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, Docker $($docker version -f '{{.Server.Version}}'), N=$n, workers=$workers, every 4th image ${slow} s, the rest ${fast} s"

# Bases: busybox plus a file saying how long the agent layer's RUN sleeps; the first of every four
# is slow, so dataset order puts a slow image at the start of each batch of 4.
mkdir -p "$work/common"
cp /bin/busybox "$work/common/"
printf 'FROM scratch\nCOPY busybox /bin/busybox\nRUN ["/bin/busybox","--install","-s","/bin"]\n' > "$work/common/Dockerfile"
DOCKER_BUILDKIT=1 $docker build -q --network=none -t $registry/$ns/busybox:1 "$work/common" >/dev/null
$docker push -q $registry/$ns/busybox:1 >/dev/null
for i in $(seq -w 1 "$n"); do
  d="$work/base-$i"; mkdir -p "$d"
  if [ $(((10#$i - 1) % 4)) -eq 0 ]; then echo "$slow" > "$d/sleep"; else echo "$fast" > "$d/sleep"; fi
  # Its own id too: identical bases would give identical final images, one image ID under many
  # tags, and removing one tag after its push would pull the image from under another's push.
  echo "i-$i" > "$d/id"
  printf 'FROM %s\nCOPY sleep id /\n' "$registry/$ns/busybox:1" > "$d/Dockerfile"
  DOCKER_BUILDKIT=1 $docker build -q --network=none -t "$registry/$ns/bases:i-$i" "$d" >/dev/null
  $docker push -q "$registry/$ns/bases:i-$i" >/dev/null
  $docker rmi -f "$registry/$ns/bases:i-$i" >/dev/null
  echo "i-$i"
done > "$work/ids.txt"
$docker rmi -f $registry/$ns/busybox:1 >/dev/null

mkdir -p "$work/sdist"
printf 'sdist' > "$work/sdist/agent-0.1.tar.gz"
cat > "$work/agent.Dockerfile" <<'DOCKERFILE'
ARG BASE_IMAGE
FROM ${BASE_IMAGE}
ARG SDIST
COPY ${SDIST} /opt/agent/
RUN sleep "$(cat /sleep)"
DOCKERFILE

run() { # label, jar, extra options...
  local label=$1 jar=$2; shift 2
  local start end
  start=$(date +%s.%N)
  java -jar "$jar" build --benchmark custom --dataset "$work/ids.txt" \
    --base-image-template "$registry/$ns/bases:{id}" --sdist "$work/sdist/agent-0.1.tar.gz" \
    --sdk-commit 0123456789abcdef0123456789abcdef01234567 --dockerfile "$work/agent.Dockerfile" \
    --image "$registry/$ns/fleet" --network none --builder engine --force --workers "$workers" \
    --min-free-gb 0 --output "$work/out-$label" "$@" > "$work/$label.log" 2>&1 \
    || { echo "$label failed:"; tail -n 5 "$work/$label.log"; }
  end=$(date +%s.%N)
  built=$(grep -c '"status":"built"' "$work/out-$label/manifest.jsonl" || true)
  grep '"status":"failed"' "$work/out-$label/manifest.jsonl" | jq -r '"  failed: \(.instance): \(.error)"' || true
  echo "$label $start $end $built" >> "$work/times"
}

rounds=${ROUNDS:-2}
for r in $(seq 1 "$rounds"); do
  if [ -n "${OLD_JAR:-}" ]; then
    run old-batch-4 "$OLD_JAR" --batch-size 4
    run old-batch-16 "$OLD_JAR" --batch-size 16
  fi
  run batch-4 "$jar" --batch-size 4
  run batch-16 "$jar" --batch-size 16
  run batch-4-history "$jar" --batch-size 4 --history "$work/out-batch-4/manifest.jsonl"
done

# Each configuration's median wall over the rounds (the lower middle one for an even count).
awk '{ printf "%-18s built=%d  wall=%.1f s\n", $1, $4, $3 - $2; w[$1, ++n[$1]] = $3 - $2 }
  function median(l,   i, j, t, k) { k = n[l]; for (i = 1; i <= k; i++) a[i] = w[l, i];
    for (i = 1; i <= k; i++) for (j = i + 1; j <= k; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
    return a[int((k + 1) / 2)] }
  END { b4 = median("batch-4"); b16 = median("batch-16"); h = median("batch-4-history");
    printf "median wall: batch-4 %.1f s, batch-16 %.1f s, batch-4 + history %.1f s\n", b4, b16, h;
    printf "ratio batch-4 / batch-16: %.3f\nratio batch-4 with history / batch-16: %.3f\n", b4 / b16, h / b16;
    if (n["old-batch-4"]) { o4 = median("old-batch-4"); o16 = median("old-batch-16");
      printf "before: median wall batch-4 %.1f s, batch-16 %.1f s, ratio %.3f\n", o4, o16, o4 / o16 } }' "$work/times"
$docker images --format '{{.Repository}}:{{.Tag}}' | grep "^$registry/$ns/" | xargs -r $docker rmi -f >/dev/null 2>&1 || true
