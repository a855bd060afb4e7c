#!/usr/bin/env bash
# imagefleet build --builder append for two platforms against one: N instances whose bases are
# {arch}-named single-platform pairs in the local registry (sweb.eval.x86_64.<id> and
# sweb.eval.arm64.<id>: Debian's static busybox for each architecture plus a random BASE_KB layer of
# their own, made with umoci and pushed with skopeo; nothing is emulated), the same COPY-only
# Dockerfile, the same workers. Timed: a --platform linux/amd64 run and a
# --platform linux/amd64,linux/arm64 run (each tag an index of two manifests), each to a fresh
# repository after a warm-up that caches the sdist and the agent layer. Prints seconds per run,
# their ratio (the issue's target: under 1.6x) and the bytes each run uploaded (the agent layer
# should cross once per repository however many platforms). ROUNDS pairs of legs (one, then two,
# each into a fresh repository) run on the same bases; the last line gives the median ratio. Needs the rig .ci/run starts (registry
# on 127.0.0.1:5000, skopeo, umoci, busybox-static and the arm64 .deb .ci/rig.sh downloads) and
# target/imagefleet.jar. Run it under the shared lock:
#   flock -o /tmp/imagefleet-docker.lock bench/multi-platform.sh [N] [WORKERS] [BASE_KB] [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-100}
workers=${2:-4}
base_kb=${3:-512}
rounds=${4:-1}
jar=${JAR:-$PWD/target/imagefleet.jar}
arm64_deb=/var/cache/imagefleet/busybox-static_arm64.deb
registry=127.0.0.1:5000
ns=benchmp$RANDOM
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
[ -f "$jar" ] || { echo "missing $jar; run: mvn -q package -DskipTests" >&2; exit 2; }
for tool in skopeo umoci dpkg-deb; do
  command -v $tool >/dev/null || { echo "missing $tool (bash .ci/run installs it)" >&2; exit 2; }
done
[ -s "$arm64_deb" ] || { echo "missing $arm64_deb (.ci/rig.sh fetch_arm64_busybox)" >&2; exit 2; }

echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, N=$n, workers=$workers, base layer ${base_kb} KiB per platform"

# Two one-platform busybox images (amd64 from the host's busybox-static, arm64 from the .deb).
dpkg-deb -x "$arm64_deb" "$work/arm64"
layout="$work/layout"
umoci init --layout "$layout"
for arch in amd64 arm64; do
  umoci new --image "$layout:$arch"
  umoci config --image "$layout:$arch" --os linux --architecture "$arch"
  bin=/bin/busybox
  [ "$arch" = arm64 ] && bin="$work/arm64/bin/busybox"
  umoci insert --rootless --image "$layout:$arch" "$bin" /bin/busybox
done
t0=$(date +%s)
for i in $(seq -w 1 "$n"); do
  for arch in amd64 arm64; do
    head -c $((base_kb * 1024)) /dev/urandom > "$work/blob"
    umoci tag --image "$layout:$arch" "i-$i-$arch"
    umoci insert --rootless --image "$layout:i-$i-$arch" "$work/blob" /blob
    name=$arch
    [ "$arch" = amd64 ] && name=x86_64
    skopeo copy -q --dest-tls-verify=false "oci:$layout:i-$i-$arch" \
      "docker://$registry/$ns/bases:sweb.eval.$name.i-$i"
  done
  echo "i-$i"
done > "$work/ids.txt"
echo "made $n base pairs in $(( $(date +%s) - t0 )) s"

mkdir -p "$work/sdk"
head -c 2000000 /dev/urandom > "$work/sdk/payload.bin"
printf '[project]\nname = "agent"\nversion = "0.1"\n' > "$work/sdk/pyproject.toml"
git -C "$work/sdk" init -q && git -C "$work/sdk" add . && git -C "$work/sdk" -c user.email=b@b -c user.name=b commit -qm sdk
cat > "$work/agent.Dockerfile" <<'DOCKERFILE'
ARG BASE_IMAGE
FROM ${BASE_IMAGE}
ARG SDIST
ARG SDK_COMMIT
COPY ${SDIST} /opt/imagefleet/
ENV AGENT_SDIST=/opt/imagefleet/${SDIST}
LABEL io.imagefleet.sdk-commit=${SDK_COMMIT}
DOCKERFILE

run() { # label, ids, platforms
  local start end
  start=$(date +%s.%N)
  java -jar "$jar" build --benchmark custom --dataset "$2" \
    --base-image-template "$registry/$ns/bases:sweb.eval.{arch}.{id}" --sdk "$work/sdk" \
    --sdist-command "tar czf {out}/agent-0.1.tar.gz pyproject.toml payload.bin" \
    --cache-dir "$work/cache" --dockerfile "$work/agent.Dockerfile" --image "$registry/$ns/$1" \
    --builder append --platform "$3" --workers "$workers" --output "$work/out-$1" \
    > "$work/$1.log" 2>&1 || { echo "run $1 failed:" >&2; tail -n 20 "$work/$1.log" >&2; exit 1; }
  end=$(date +%s.%N)
  echo "$start $end" > "$work/$1.time"
}
head -n 1 "$work/ids.txt" > "$work/warmup-ids.txt"
run warmup "$work/warmup-ids.txt" linux/amd64,linux/arm64
report() { # label
  local s e built moved
  read -r s e < "$work/$1.time"
  built=$(grep -c '"status":"built"' "$work/out-$1/manifest.jsonl" || true)
  moved=$(grep -h 'append moved' "$work/$1.log" | sed 's/^imagefleet build: //')
  awk -v l="$1" -v s="$s" -v e="$e" -v b="$built" \
    'BEGIN { printf "%-7s built=%d  wall=%.1f s  s/image=%.3f\n", l, b, e - s, (e - s) / b }'
  echo "    $moved"
  awk -v s="$s" -v e="$e" 'BEGIN { print e - s }' > "$work/$1.seconds"
}
: > "$work/ratios"
for r in $(seq 1 "$rounds"); do
  echo "round $r, load: $(cut -d' ' -f1-3 /proc/loadavg)"
  run "one-$r" "$work/ids.txt" linux/amd64
  run "two-$r" "$work/ids.txt" linux/amd64,linux/arm64
  report "one-$r"
  report "two-$r"
  grep -q '"platforms":\["linux/amd64","linux/arm64"\]' "$work/out-two-$r/manifest.jsonl" \
    || { echo "the two-platform run recorded no two-platform image" >&2; exit 1; }
  awk -v one="$(cat "$work/one-$r.seconds")" -v two="$(cat "$work/two-$r.seconds")" \
    'BEGIN { printf "two platforms / one: %.2fx (target: under 1.6x)\n", two / one }' | tee -a "$work/ratios"
done
sort -t: -k2 -n "$work/ratios" | awk -F'[: x]+' '{ r[NR] = $5 } END {
  printf "median over %d round(s): %.2fx, range %.2f-%.2fx\n", NR, r[int((NR + 1) / 2)], r[1], r[NR] }'
