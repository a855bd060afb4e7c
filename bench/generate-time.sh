#!/usr/bin/env bash
# Wall time of one `imagefleet generate` (a fresh JVM per run, as in CI or a shell).
# Usage: bench/generate-time.sh [RUNS]   (needs target/imagefleet.jar: mvn -q package -DskipTests)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-21}
jar=target/imagefleet.jar
[ -f "$jar" ] || { echo "missing $jar; run: mvn -q package -DskipTests" >&2; exit 2; }
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

measure() { # label, args...
  local label=$1; shift
  local times=()
  for _ in $(seq 1 "$runs"); do
    local start end
    start=$(date +%s%N)
    java -jar "$jar" "$@" -o "$out/wf.yml" 2>/dev/null
    end=$(date +%s%N)
    times+=($(( (end - start) / 1000000 )))
  done
  printf '%s\n' "${times[@]}" | sort -n | awk -v label="$label" -v n="$runs" '
    { t[NR] = $1 }
    END { printf "%-34s runs=%d  min=%d ms  median=%d ms  max=%d ms\n", label, n, t[1], t[int((n + 1) / 2)], t[n] }'
}

echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(java -version 2>&1 | head -1)"
measure "generate swe-bench" generate swe-bench
measure "generate swt-bench --shards 8" generate swt-bench --shards 8 --cache-mode max
