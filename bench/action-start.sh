#!/usr/bin/env bash
# How long a job waits for imagefleet's first line, cold: building the action image from its
# Dockerfile (what `runs.image: Dockerfile` makes every job, every shard, do) against pulling the
# published image (`runs.image: docker://…`, what a release tag's action.yml names).
# Each round starts with no imagefleet image and no build cache in the daemon. The build leg uses
# .ci/action-bases' local stand-ins for the base images, loaded back before it and not timed (Docker
# Hub can't be reached here): it pays no base pull, which a GitHub runner would, so its figure is a
# lower bound. The pull leg starts with the stand-ins removed too (no layer of the image present)
# and pulls all of it from the registry on 127.0.0.1:5000 (loopback: a lower bound as well; a
# runner pulls from ghcr.io). The first line is the action's own answer to a run without inputs
# (`input command is required: …`).
# Needs the rig (dockerd, registry on 127.0.0.1:5000) and Maven Central for the build stage.
#   flock -o /tmp/imagefleet-docker.lock bench/action-start.sh [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}
docker=/usr/bin/docker
published=127.0.0.1:5000/bench-action/imagefleet:bench
built=imagefleet-bench/action:built
read -r -a bases <<< "$(bash .ci/action-bases)"
standins=(imagefleet-local/build:bookworm imagefleet-local/runtime:bookworm imagefleet-local/debian:bookworm)
saved=$(mktemp /tmp/imagefleet-action-bases-XXXX.tar)
trap 'rm -f "$saved"' EXIT

echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, Docker $($docker version -f '{{.Server.Version}}'), load $(cut -d' ' -f1-3 /proc/loadavg)"
# Published once, as the release workflow does.
DOCKER_BUILDKIT=1 $docker build -q --network host "${bases[@]}" -t "$published" . >/dev/null
$docker push -q "$published" >/dev/null
echo "image: $($docker image inspect -f '{{.Size}}' "$published") bytes uncompressed"
$docker save -o "$saved" "${standins[@]}"

clean() {
  $docker rmi -f "$published" "$built" >/dev/null 2>&1 || true
  $docker builder prune -af >/dev/null 2>&1 || true
}
first_line() { # image: runs it until its first line
  $docker run --rm "$1" 2>&1 | head -n 1 || true
}
now() { date +%s.%N; }

printf '%-5s %-8s %-10s %s\n' round leg seconds "first line"
for r in $(seq 1 "$rounds"); do
  clean
  $docker load -q -i "$saved" >/dev/null
  s=$(now)
  DOCKER_BUILDKIT=1 $docker build -q --no-cache --network host "${bases[@]}" -t "$built" . >/dev/null
  line=$(first_line "$built")
  e=$(now)
  printf '%-5s %-8s %-10.1f %s\n' "$r" build "$(awk -v s="$s" -v e="$e" 'BEGIN { print e - s }')" "$line"
  clean
  $docker rmi -f "${standins[@]}" >/dev/null
  $docker image prune -f >/dev/null
  s=$(now)
  $docker pull -q "$published" >/dev/null
  line=$(first_line "$published")
  e=$(now)
  printf '%-5s %-8s %-10.1f %s\n' "$r" pull "$(awk -v s="$s" -v e="$e" 'BEGIN { print e - s }')" "$line"
done
clean
$docker load -q -i "$saved" >/dev/null
