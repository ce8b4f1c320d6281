#!/usr/bin/env bash
# rio's REST server under wrk: requests per second and p99 latency on ONE core, for
#   GET /api/remote/modules, GET /api/remote/status (20 hosts), GET /api/remote/status?host=h3,
# with GET /api/health (the cheapest route) as the baseline measured in the same run.
# The server is pinned to CPU 0 and wrk to CPU 1 (taskset), so the server has exactly one core.
# Loopback only. Targets (issue #6): >= 20,000 requests/s and p99 < 5 ms.
#
#   bash bench/api_bench.sh [path/to/rio] [seconds per route, default 10]
set -euo pipefail
rio=${1:-build/release/bin/rio}
seconds=${2:-10}
command -v wrk >/dev/null || { echo "api_bench: wrk is missing (apt-get install wrk)" >&2; exit 2; }
command -v taskset >/dev/null || { echo "api_bench: taskset is missing (util-linux)" >&2; exit 2; }
[ -x "$rio" ] || { echo "api_bench: $rio is not executable; build rio first" >&2; exit 2; }

root=$(mktemp -d)
port=$((20000 + RANDOM % 20000))
cleanup() { [ -n "${pid:-}" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$root"; }
trap cleanup EXIT
mkdir -p "$root/config" "$root/data/remote/install"
echo '{"features": {"enable_remote_installer": true}}' > "$root/config/comfyvn.json"
for i in $(seq 1 20); do
  printf '{"host": "h%d", "modules": {"comfyui": {"state": "installed", "notes": "", "tags": []}}, "version": 1, "updated_at": "2026-11-27T00:00:00.000000+00:00"}\n' "$i" \
    > "$root/data/remote/install/h$i.json"
done
taskset -c 0 "$rio" --root "$root" serve --port "$port" > "$root/serve.log" 2>&1 &
pid=$!
for _ in $(seq 1 50); do curl -fs "http://127.0.0.1:$port/api/health" >/dev/null 2>&1 && break; sleep 0.1; done

echo "rio $("$rio" --version | head -1), $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg), wrk -t1 -c50 -d${seconds}s"
printf '%-34s %12s %10s %10s\n' route "requests/s" "p99 ms" "vs health"
base=""
for route in /api/health /api/remote/modules /api/remote/status "/api/remote/status?host=h3"; do
  out=$(taskset -c 1 wrk -t1 -c50 -d"${seconds}s" --latency "http://127.0.0.1:$port$route")
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p99=$(awk '$1 == "99%" {v = $2; if (v ~ /us$/) {sub(/us/, "", v); v /= 1000} else if (v ~ /ms$/) {sub(/ms/, "", v)} else if (v ~ /s$/) {sub(/s/, "", v); v *= 1000}; print v}' <<<"$out")
  errors=$(awk '/Non-2xx|Socket errors/' <<<"$out")
  [ -z "$base" ] && base=$rps
  printf '%-34s %12s %10s %10.2f %s\n' "$route" "$rps" "$p99" "$(awk -v a="$rps" -v b="$base" 'BEGIN {print a / b}')" "$errors"
done
