#!/usr/bin/env bash
# Benchmark: a new machine's first `scripts/conformance`, as the README gives it, simulated on this
# one: a clone of the repository, an empty account cache (Jaeger, pip), empty Go caches, and a
# container engine of its own with no image (a Podman service on a storage root of its own, given
# to the run as DOCKER_HOST). Not simulated: the Debian packages and OpenSearch's Maven download,
# which only a machine made new has to fetch. Prints the wall time, when set-up ended, and the
# verdict; each output line of the run is kept with its second in WORK/conformance.log.
#   benchmarks/first_run.sh [WORK [conformance arguments...]]     (WORK: default a new temp folder)
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
work="${1:-$(mktemp -d /tmp/mc-first-run-XXXXXX)}"; shift || true
mkdir -p "$work"
engine=""
clean() {
  if [ -n "$engine" ]; then kill "$engine" 2>/dev/null; wait "$engine" 2>/dev/null; fi
  # The engine's storage holds overlay mounts (the last made as the engine stops) and read-only
  # layers: unmount, then remove all but the log.
  grep -o "$work/[^ ]*" /proc/mounts | sort -r | xargs -r -n1 umount 2>/dev/null || true
  chmod -R u+w "$work" 2>/dev/null || true
  find "$work" -mindepth 1 -maxdepth 1 ! -name conformance.log -exec rm -rf {} +
}
trap clean EXIT
git clone -q "$repo" "$work/repo"
podman --root "$work/storage" --runroot "$work/runroot" system service --time=0 "unix://$work/podman.sock" \
  >"$work/podman.log" 2>&1 &
engine=$!
for _ in $(seq 1 100); do curl -sf --unix-socket "$work/podman.sock" http://engine/_ping >/dev/null 2>&1 && break; sleep 0.1; done
export XDG_CACHE_HOME="$work/cache" GOCACHE="$work/gocache" GOMODCACHE="$work/gomod" DOCKER_HOST="unix://$work/podman.sock"
echo "load average at the start: $(cut -d' ' -f1-3 /proc/loadavg)"
start=$SECONDS
set +e
(cd "$work/repo" && scripts/conformance --report-dir "$work/report" "$@") 2>&1 \
  | while IFS= read -r line; do printf '%5d %s\n' $((SECONDS - start)) "$line"; done >"$work/conformance.log"
rc=${PIPESTATUS[0]}
set -e
echo "first run: $((SECONDS - start)) s, exit $rc; load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
grep -m1 "bootstrap: ready" "$work/conformance.log" | awk '{print "set-up ended at", $1, "s"}'
grep -m1 "conformance verdict:" "$work/conformance.log" | cut -c1-200
echo "log: $work/conformance.log"
