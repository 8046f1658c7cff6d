#!/usr/bin/env bash
# Memory of `pronoturf serve` idle and over repeated identical load rounds (issue #8): growth that
# stops is memory kept for reuse, growth that goes on is a leak. Builds the dashboard benchmark's
# store (HKJC imported, then `demo --history PMU --no-serve`: ~128k runners, SQLite), starts serve
# with schedules off, prints VmRSS and RssAnon (the heap) at 2, 10, 30 and 60 s idle, then after
# each round of wrk at 256 connections on the five endpoints of scripts/load.sh.
# Usage: scripts/rss_rounds.sh [ROUNDS] [SECONDS_PER_ENDPOINT]   (default 4 rounds of 15 s)
# Environment: BIN (a pronoturf binary; default: build the release one), SHARED_DIR.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/serve_lib.sh
. scripts/serve_lib.sh
rounds=${1:-4}
secs=${2:-15}
shared=${SHARED_DIR:-../shared}
if [ -z "${BIN:-}" ]; then
  cargo build --release --quiet --bin pronoturf
  BIN=$PWD/target/release/pronoturf
fi
tmp=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$tmp"' EXIT
export DATABASE_URL="sqlite://$tmp/rss.db" ML_MODELS_DIR="$tmp/ml_models" RUST_LOG=error
load_benchmark_store "$BIN" "$shared"
api=$(free_port)
dash=$(free_port)
SCHEDULE_SYNC='' SCHEDULE_ODDS='' SCHEDULE_PREDICT='' SCHEDULE_RESULTS='' SCHEDULE_RETRAIN='' \
  SCHEDULE_REPORT='' "$BIN" serve --api-port "$api" --dashboard-port "$dash" >"$tmp/serve.log" 2>&1 &
pid=$!
memory() { awk '$1 == "VmRSS:" {a = $2} $1 == "RssAnon:" {b = $2}
  END {printf "VmRSS %.1f MiB, heap %.1f MiB\n", a / 1024, b / 1024}' "/proc/$pid/status"; }
last=0
for t in 2 10 30 60; do
  sleep $((t - last))
  last=$t
  echo "idle ${t} s: $(memory)"
done
d=2026-06-14
urls=("http://127.0.0.1:$api/api/v1/races?date=$d" "http://127.0.0.1:$api/api/v1/races/$d/1/1"
  "http://127.0.0.1:$api/api/v1/races/$d/1/1/predictions" "http://127.0.0.1:$api/health"
  "http://127.0.0.1:$dash/?date=$d")
for i in $(seq 1 "$rounds"); do
  for u in "${urls[@]}"; do wrk -t2 -c256 -d"${secs}s" --timeout 5s "$u" >/dev/null; done
  sleep 2
  echo "after round $i: $(memory)"
done
