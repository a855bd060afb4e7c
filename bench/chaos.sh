#!/usr/bin/env bash
# Chaos run (issue 10): builds N images through a fault proxy in front of the local registry
# (503/429 to --error-rate of requests, RST on --reset-rate of connections) while, on a seeded
# schedule, the registry and dockerd are killed (SIGKILL) and restarted. Reruns
# `imagefleet build --resume` until it exits 0 (at most --max-runs), then checks the registry, the
# images, the manifest and every run's summary, and prints the figures for docs/RELIABILITY.md.
#
# Needs root, the rig of .ci/rig.sh (dockerd, registry on 127.0.0.1:5000) and
# `mvn -q -B package -DskipTests` (target/imagefleet.jar, target/test-classes). It kills dockerd:
# run it where nobody else uses the daemon. On any exit it restarts what it killed, with the
# command lines they had, so dockerd and the registry keep running as it found them.
#
# Usage: bench/chaos.sh [--short] [--images N] [--workers N] [--error-rate R] [--reset-rate R]
#          [--seed S] [--registry-kills N] [--dockerd-kills N] [--gap MIN-MAX] [--max-runs N]
#          [--port P] [--builder engine|append]
#   --builder      the builder under test (default engine); append assembles each image in the
#                  registry (its own client retries each request) and sets the SDK commit by ENV,
#                  since its last stage runs no command
#   --short        12 images, 3 workers, 2 registry kills, 1 dockerd kill, 8-20 s between faults
#   --proxy-only   start only the proxy, send 40 GET /v2/ through it, print its counters (no root,
#                  kills nothing)
set -euo pipefail
cd "$(dirname "$0")/.."

images=60 workers=4 error_rate=0.3 reset_rate=0.05 seed=1 registry_kills=4 dockerd_kills=3
gap_min=20 gap_max=60 max_runs=10 port=5002 run_timeout=1800 proxy_only=false builder=engine
for arg in "$@"; do # --short first, so options after it still override its values
  if [ "$arg" = --short ]; then
    images=12 workers=3 registry_kills=2 dockerd_kills=1 gap_min=8 gap_max=20 run_timeout=900
  fi
done
while [ $# -gt 0 ]; do
  case $1 in
    --short) shift; continue ;;
    --proxy-only) proxy_only=true; shift; continue ;;
  esac
  [ $# -ge 2 ] || { echo "$1 needs a value" >&2; exit 2; }
  case $1 in
    --images) images=$2 ;;
    --workers) workers=$2 ;;
    --error-rate) error_rate=$2 ;;
    --reset-rate) reset_rate=$2 ;;
    --seed) seed=$2 ;;
    --registry-kills) registry_kills=$2 ;;
    --dockerd-kills) dockerd_kills=$2 ;;
    --gap) gap_min=${2%-*} gap_max=${2#*-} ;;
    --max-runs) max_runs=$2 ;;
    --port) port=$2 ;;
    --builder) builder=$2 ;;
    *) echo "unknown option $1 (see the usage at the top of $0)" >&2; exit 2 ;;
  esac
  shift 2
done
for n in "$images" "$workers" "$seed" "$registry_kills" "$dockerd_kills" "$gap_min" "$gap_max" "$max_runs" "$port"; do
  [[ $n =~ ^[0-9]+$ ]] || { echo "not a whole number: '$n'" >&2; exit 2; }
done
[ "$gap_max" -ge "$gap_min" ] || { echo "--gap MIN-MAX needs MIN <= MAX" >&2; exit 2; }
case $builder in
  engine | append) ;;
  *) echo "--builder must be engine or append, not '$builder'" >&2; exit 2 ;;
esac

jar=$PWD/target/imagefleet.jar
classes=$PWD/target/test-classes
docker=/usr/bin/docker
registry=127.0.0.1:5000
proxy=127.0.0.1:$port
ns=chaos$seed-$(date +%s)
work=/tmp/imagefleet-chaos-$ns
out=$work/out
mkdir -p "$work"
start_time=$SECONDS

log() { printf '[chaos %s] %s\n' "$(date +%T)" "$*" >&2; }
die() { log "$*"; exit 2; }
registry_up() { curl -fsS -o /dev/null --max-time 3 "http://$registry/v2/"; }
dockerd_up() { timeout 10 "$docker" info >/dev/null 2>&1; }
rig_ready() { registry_up && dockerd_up; }
listening() { [ -n "$(ss -Hltn "sport = :$1")" ]; }
listener_pid() { ss -Hltnp "sport = :$1" | grep -o 'pid=[0-9]*' | head -n 1 | cut -d= -f2; }
gone() { ! kill -0 "$1" 2>/dev/null; }
# wait_for SECONDS COMMAND...: polls once a second, fails after SECONDS.
wait_for() {
  local deadline=$((SECONDS + $1))
  shift
  until "$@"; do
    [ $SECONDS -lt $deadline ] || return 1
    sleep 1
  done
}

if [ ! -f "$classes/io/imagefleet/testing/FaultProxy.class" ] || [ ! -f "$jar" ]; then
  die "missing $jar or the FaultProxy class; run: mvn -q -B package -DskipTests"
fi
! listening "$port" || die "port $port is in use; pick another with --port"

# --- The fault proxy -------------------------------------------------------------------------
proxy_pid=
start_proxy() { # ERROR_RATE RESET_RATE STATS_FILE
  java -cp "$classes" io.imagefleet.testing.FaultProxy --listen "$proxy" --upstream "$registry" \
    --error-rate "$1" --reset-rate "$2" --seed "$seed" --stats "$3" 2>>"$work/proxy.log" &
  proxy_pid=$!
  wait_for 20 listening "$port" || die "the fault proxy did not start; see $work/proxy.log"
}
stop_proxy() { # SIGTERM: the proxy writes its last counters to its stats file
  [ -n "$proxy_pid" ] || return 0
  kill -TERM "$proxy_pid" 2>/dev/null || true
  wait "$proxy_pid" 2>/dev/null || true
  proxy_pid=
}
proxy_stat() { jq -r ".$1" "$work/proxy.json"; }

if [ "$proxy_only" = true ]; then
  trap 'stop_proxy; rm -rf "$work"' EXIT
  start_proxy "$error_rate" "$reset_rate" "$work/proxy.json"
  for _ in $(seq 1 40); do
    curl -sS -o /dev/null -w '%{http_code}\n' --max-time 5 "http://$proxy/v2/" 2>/dev/null || true
  done | sed 's/^000$/reset/' | sort | uniq -c
  stop_proxy
  log "proxy counters: $(cat "$work/proxy.json")"
  [ "$(proxy_stat requests)" -eq 40 ] || die "the proxy counted $(proxy_stat requests) requests, not 40"
  exit 0
fi

# --- The rig as found: what runs, and how it was started --------------------------------------
[ "$(id -u)" -eq 0 ] || die "run as root: the chaos run kills and restarts dockerd"
rig_ready || die "dockerd or the registry on $registry is down; start the rig: source .ci/rig.sh && rig_up"
dockerd_pid=$(pgrep -xo dockerd) || die "no dockerd process found (a daemon elsewhere cannot be killed)"
mapfile -d '' dockerd_cmd <"/proc/$dockerd_pid/cmdline"
dockerd_cwd=$(readlink "/proc/$dockerd_pid/cwd")
registry_pid=$(listener_pid 5000)
[ -n "$registry_pid" ] || die "no process found listening on $registry"
mapfile -d '' registry_cmd <"/proc/$registry_pid/cmdline"
registry_cwd=$(readlink "/proc/$registry_pid/cwd")
log "dockerd: ${dockerd_cmd[*]}; registry: ${registry_cmd[*]}"

# setsid: a restarted daemon belongs to no job of this script and outlives it.
start_registry() {
  (cd "$registry_cwd" && setsid nohup "${registry_cmd[@]}" >>/tmp/imagefleet-registry.log 2>&1 </dev/null &)
  wait_for 30 registry_up
}
start_dockerd() {
  (cd "$dockerd_cwd" && setsid nohup "${dockerd_cmd[@]}" >>/tmp/imagefleet-dockerd.log 2>&1 </dev/null &)
  wait_for 60 dockerd_up
}
kill_registry() {
  local pid
  pid=$(listener_pid 5000)
  [ -n "$pid" ] || return 0
  kill -KILL "$pid"
  wait_for 10 gone "$pid"
}
kill_dockerd() {
  local pid
  pid=$(pgrep -xo dockerd) || return 0
  kill -KILL "$pid"
  wait_for 10 gone "$pid"
}
# Brings back whatever is down; a dockerd that is still starting gets time before a second start.
ensure_rig() {
  registry_up || { log "registry down: starting it"; start_registry || log "registry did not come back"; }
  if ! dockerd_up; then
    if pgrep -x dockerd >/dev/null && wait_for 60 dockerd_up; then return 0; fi
    pgrep -x dockerd >/dev/null && { log "dockerd runs but does not answer; see /tmp/imagefleet-dockerd.log"; return 1; }
    log "dockerd down: starting it"
    start_dockerd || log "dockerd did not come back; see /tmp/imagefleet-dockerd.log"
  fi
}

chaos_pid=
cleanup() {
  local code=$?
  set +e
  trap - EXIT INT TERM
  touch "$work/stop"
  if [ -n "$chaos_pid" ]; then
    kill "$chaos_pid" 2>/dev/null
    wait "$chaos_pid" 2>/dev/null
  fi
  stop_proxy
  ensure_rig
  "$docker" images --format '{{.Repository}}:{{.Tag}}' 2>/dev/null | grep "/$ns/" \
    | xargs -r "$docker" rmi -f >/dev/null 2>&1
  log "work directory (logs, manifest, summaries): $work"
  exit "$code"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- Bases, dataset, sdist, Dockerfile ---------------------------------------------------------
log "making $images bases under $registry/$ns (busybox plus a marker each)"
mkdir -p "$work/common"
cp /bin/busybox "$work/common/"
printf 'FROM scratch\nCOPY busybox /bin/busybox\nRUN ["/bin/busybox","--install","-s","/bin"]\n' >"$work/common/Dockerfile"
DOCKER_BUILDKIT=1 timeout 300 "$docker" build -q --network=none -t "$registry/$ns/busybox:1" "$work/common" >/dev/null
timeout 300 "$docker" push -q "$registry/$ns/busybox:1" >/dev/null
: >"$work/dataset.jsonl"
for i in $(seq -w 1 "$images"); do
  id=i-$i d=$work/base-$i
  mkdir -p "$d"
  echo "chaos $ns $id" >"$d/marker"
  printf 'FROM %s\nCOPY marker /marker\n' "$registry/$ns/busybox:1" >"$d/Dockerfile"
  DOCKER_BUILDKIT=1 timeout 300 "$docker" build -q --network=none -t "$registry/$ns/bases:$id" "$d" >/dev/null
  timeout 300 "$docker" push -q "$registry/$ns/bases:$id" >/dev/null
  timeout 60 "$docker" rmi "$registry/$ns/bases:$id" >/dev/null
  # Pulled through the proxy: base pulls meet the faults too.
  jq -nc --arg id "$id" --arg base "$proxy/$ns/bases:$id" '{instance_id: $id, base_image: $base}' >>"$work/dataset.jsonl"
done
timeout 60 "$docker" rmi "$registry/$ns/busybox:1" >/dev/null

mkdir -p "$work/sdk"
printf '[project]\nname = "agent"\nversion = "0.1"\n' >"$work/sdk/pyproject.toml"
tar czf "$work/agent-0.1.tar.gz" -C "$work/sdk" pyproject.toml
sdist_sha=$(sha256sum "$work/agent-0.1.tar.gz" | cut -d' ' -f1)
sdk_commit=$(sha1sum "$work/agent-0.1.tar.gz" | cut -c1-40)
if [ "$builder" = engine ]; then
  cat >"$work/agent.Dockerfile" <<'DOCKERFILE'
ARG BASE_IMAGE
FROM ${BASE_IMAGE}
ARG SDIST
ARG SDK_COMMIT
COPY ${SDIST} /opt/agent/
RUN echo "$SDK_COMMIT" > /opt/agent/commit
DOCKERFILE
  read_commit='cat /opt/agent/commit'
else # append runs no command in the image: the commit goes into its config instead
  cat >"$work/agent.Dockerfile" <<'DOCKERFILE'
ARG BASE_IMAGE
FROM ${BASE_IMAGE}
ARG SDIST
ARG SDK_COMMIT
COPY ${SDIST} /opt/agent/
ENV AGENT_COMMIT=${SDK_COMMIT}
DOCKERFILE
  read_commit='echo "$AGENT_COMMIT"'
fi

build_args=(build --benchmark custom --dataset "$work/dataset.jsonl" --sdist "$work/agent-0.1.tar.gz"
  --sdk-commit "$sdk_commit" --cache-dir "$work/cache" --dockerfile "$work/agent.Dockerfile"
  --image "$proxy/$ns/agent" --network none --builder "$builder" --workers "$workers" --batch-size 20
  --min-free-gb 0 --image-timeout 5m --max-retries 5 --retry-backoff 2s --max-failures 0
  --output "$out" --resume)

# The expected tags: the tool's own plan, from a dry run through a proxy that injects nothing.
start_proxy 0 0 "$work/proxy-dry-run.json"
timeout 300 java -jar "$jar" "${build_args[@]}" --dry-run >"$work/plan.tsv" 2>"$work/dry-run.log" \
  || die "the dry run failed; see $work/dry-run.log"
stop_proxy
tail -n +2 "$work/plan.tsv" | awk -F'\t' '{ n = split($3, p, ":"); print $1 "\t" p[n] }' | sort >"$work/expected.tsv"
[ "$(wc -l <"$work/expected.tsv")" -eq "$images" ] || die "the plan has not $images images; see $work/plan.tsv"

# --- The fault schedule: seeded gaps and kinds, faults only while a build runs ----------------
chaos_loop() {
  trap - EXIT INT TERM
  RANDOM=$seed
  local left_r=$registry_kills left_d=$dockerd_kills gap deadline=$((SECONDS + max_runs * run_timeout))
  while [ $((left_r + left_d)) -gt 0 ] && [ $SECONDS -lt $deadline ] && [ ! -e "$work/stop" ]; do
    gap=$((gap_min + RANDOM % (gap_max - gap_min + 1)))
    sleep "$gap"
    # Between runs a fault would only delay the next start; wait for the next run instead.
    [ -e "$work/building" ] || continue
    if [ $((RANDOM % (left_r + left_d))) -lt "$left_r" ]; then
      echo "$(date +%T) registry-kill" >>"$work/faults.log"
      kill_registry || true
      sleep $((2 + RANDOM % 5))
      start_registry || echo "$(date +%T) registry-restart-failed" >>"$work/faults.log"
      left_r=$((left_r - 1))
    else
      echo "$(date +%T) dockerd-kill" >>"$work/faults.log"
      kill_dockerd || true
      sleep $((RANDOM % 3))
      start_dockerd || echo "$(date +%T) dockerd-restart-failed" >>"$work/faults.log"
      left_d=$((left_d - 1))
    fi
  done
}

# --- Runs until exit 0 -------------------------------------------------------------------------
# Manifest records from line FROM on (default 1); a torn last line is dropped, as --resume does.
records() {
  [ -f "$out/manifest.jsonl" ] || return 0
  tail -n "+${1:-1}" "$out/manifest.jsonl" | jq -cR 'fromjson? // empty'
}
manifest_lines() { if [ -f "$out/manifest.jsonl" ]; then wc -l <"$out/manifest.jsonl"; else echo 0; fi; }
done_count() { records | jq -s 'reduce .[] as $r ({}; .[$r.instance] = $r.status) | map(select(. != "failed")) | length'; }
miscounted=0
# Compares one run's summary.json with the manifest records that run appended.
check_summary() { # RUN LINES_BEFORE DONE_BEFORE EXIT
  local run=$1 before=$2 done_before=$3 exit_code=$4 field want got
  if [ ! -f "$out/summary.json" ]; then
    log "run $run (exit $exit_code) left no summary.json"
    miscounted=$((miscounted + 1))
    return
  fi
  for field in built skipped failed; do
    want=$(records $((before + 1)) | jq -s --arg s "$field" 'map(select(.status == $s)) | length')
    got=$(jq ".$field" "$out/summary.json")
    [ "$want" = "$got" ] || { log "run $run: summary says $field=$got, the manifest $want"; miscounted=$((miscounted + 1)); }
  done
  got=$(jq .planned "$out/summary.json")
  [ "$got" = "$images" ] || { log "run $run: summary says planned=$got, not $images"; miscounted=$((miscounted + 1)); }
  got=$(jq .alreadyDone "$out/summary.json")
  [ "$got" = "$done_before" ] || { log "run $run: summary says alreadyDone=$got, the manifest $done_before"; miscounted=$((miscounted + 1)); }
}

start_proxy "$error_rate" "$reset_rate" "$work/proxy.json"
: >"$work/faults.log"
chaos_loop &
chaos_pid=$!
log "building $images images ($builder builder) through $proxy (errors $error_rate, resets $reset_rate, seed $seed);" \
  "$registry_kills registry and $dockerd_kills dockerd kills scheduled every $gap_min-$gap_max s"
runs=0 last_exit='' exits=()
while [ "$runs" -lt "$max_runs" ]; do
  runs=$((runs + 1))
  wait_for 120 rig_ready || die "the rig did not come back before run $runs"
  kill -0 "$proxy_pid" 2>/dev/null || die "the fault proxy died; see $work/proxy.log"
  before=$(manifest_lines)
  done_before=$(done_count)
  rm -f "$out/summary.json" "$out/summary.md"
  touch "$work/building"
  set +e
  timeout --foreground -k 30 "$run_timeout" java -jar "$jar" "${build_args[@]}" >"$work/run-$runs.log" 2>&1
  last_exit=$?
  set -e
  exits+=("$last_exit")
  rm -f "$work/building"
  log "run $runs: exit $last_exit: $(tail -n 1 "$work/run-$runs.log")"
  check_summary "$runs" "$before" "$done_before" "$last_exit"
  [ "$last_exit" -ne 0 ] || break
done

touch "$work/stop"
kill "$chaos_pid" 2>/dev/null || true
wait "$chaos_pid" 2>/dev/null || true
chaos_pid=
stop_proxy
ensure_rig
wait_for 120 rig_ready || die "the rig did not come back for the checks"

# --- Checks, straight against the registry (not through the proxy) -----------------------------
failures=()
[ "$last_exit" = 0 ] || failures+=("no run exited 0 in $runs runs (last exit $last_exit)")
curl -fsS --max-time 10 "http://$registry/v2/$ns/agent/tags/list" | jq -r '.tags[]?' | sort >"$work/tags.txt" || true
cut -f2 "$work/expected.tsv" | sort >"$work/expected-tags.txt"
missing=$(comm -23 "$work/expected-tags.txt" "$work/tags.txt" | wc -l)
extra=$(comm -13 "$work/expected-tags.txt" "$work/tags.txt" | wc -l)
[ "$extra" -eq 0 ] || failures+=("$extra tags in the registry that the plan does not have")
broken=0
while IFS=$'\t' read -r id tag; do
  grep -qxF "$tag" "$work/tags.txt" || continue # counted as missing
  image=$registry/$ns/agent:$tag
  want=$(printf 'chaos %s %s\n%s  /opt/agent/agent-0.1.tar.gz\n%s' "$ns" "$id" "$sdist_sha" "$sdk_commit")
  got=$(timeout 120 "$docker" pull -q "$image" >/dev/null 2>&1 \
    && timeout 60 "$docker" run --rm --network none "$image" \
      sh -c "cat /marker; sha256sum /opt/agent/agent-0.1.tar.gz; $read_commit" 2>&1) || true
  timeout 60 "$docker" rmi "$image" >/dev/null 2>&1 || true
  [ "$got" = "$want" ] || { log "$image: expected marker, sdist and commit, got: $got"; broken=$((broken + 1)); }
done <"$work/expected.tsv"
lost=$((missing + broken))
[ "$lost" -eq 0 ] || failures+=("$lost images lost ($missing missing, $broken not pullable or wrong content)")
unfinished=$(records | jq -rs --rawfile ids <(cut -f1 "$work/expected.tsv") '
  (reduce .[] as $r ({}; .[$r.instance] = $r.status)) as $last
  | $ids | split("\n") | map(select(. != "") | select(($last[.] // "none") | IN("built", "skipped") | not)) | length')
[ "$unfinished" -eq 0 ] || failures+=("$unfinished instances whose last manifest record is not built or skipped")
[ "$miscounted" -eq 0 ] || failures+=("$miscounted summary counts differ from the manifest")
attempts=$(records | jq -s 'map(.attempts // 0) | add // 0')
built=$(records | jq -s 'map(select(.status == "built") | .instance) | unique | length')
kills() { grep -c " $1\$" "$work/faults.log" || true; }

cat <<TABLE

| figure | value |
|---|---|
| images | $images ($builder builder, $workers workers, seed $seed) |
| registry kills | $(kills registry-kill) of $registry_kills scheduled |
| dockerd kills | $(kills dockerd-kill) of $dockerd_kills scheduled |
| requests through the proxy | $(proxy_stat requests) |
| 503 answers | $(proxy_stat status503) |
| 429 answers | $(proxy_stat status429) |
| connection resets | $(proxy_stat resets) |
| proxy answers while the registry was down (502) | $(proxy_stat upstream_down) |
| runs needed | $runs (exit codes: ${exits[*]}) |
| images lost | $lost |
| miscounted | $miscounted |
| extra builds caused by faults | $((attempts - built)) ($attempts attempts for $built images built) |
| wall time | $((SECONDS - start_time)) s |
TABLE
if [ $((registry_kills + dockerd_kills)) -gt "$(($(kills registry-kill) + $(kills dockerd-kill)))" ]; then
  log "note: the build finished before the whole fault schedule ran; a smaller --gap makes faults denser"
fi
if [ ${#failures[@]} -gt 0 ]; then
  printf 'FAILED: %s\n' "${failures[@]}" >&2
  exit 1
fi
echo "chaos run passed: $images images, $runs runs, nothing lost, counts match"
