#!/usr/bin/env bash
# Proves scripts/healthcheck.sh both ways against real servers: a `pronoturf serve` (API and
# dashboard on free ports, a fresh SQLite file: the health contract needs no data, schedules off)
# passes every check; a dead dashboard port, a dead frontend, and an API whose Redis is down (503)
# each fail with a non-zero exit and a FAIL row. Usage: scripts/healthcheck_test.sh
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --quiet --bin pronoturf
bin=${CARGO_TARGET_DIR:-$PWD/target}/debug/pronoturf
tmp=$(mktemp -d)
api=
api2=
trap 'kill $api $api2 2>/dev/null || true; rm -rf "$tmp"' EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
wait_for() { # url: true once it answers, within 10 s
  for _ in $(seq 1 100); do
    curl -fs "$1" >/dev/null && return 0
    sleep 0.1
  done
  return 1
}

start_api() { # port, REDIS_URL: starts `pronoturf api`, waits for /health; sets $started
  DATABASE_URL="sqlite://$tmp/api-$1.db" RUST_LOG=warn REDIS_URL=$2 "$bin" api --port "$1" \
    >"$tmp/api-$1.log" 2>&1 &
  started=$!
  wait_for "http://127.0.0.1:$1/health" || {
    echo "error: the API did not start; its log:" >&2
    cat "$tmp/api-$1.log" >&2
    exit 1
  }
}
port=$(free_port)
dash_port=$(free_port)
DATABASE_URL="sqlite://$tmp/serve.db" ML_MODELS_DIR="$tmp/ml_models" RUST_LOG=warn \
  SCHEDULE_SYNC='' SCHEDULE_ODDS='' SCHEDULE_PREDICT='' SCHEDULE_RESULTS='' SCHEDULE_RETRAIN='' \
  SCHEDULE_REPORT='' "$bin" serve --api-port "$port" --dashboard-port "$dash_port" \
  >"$tmp/serve.log" 2>&1 &
api=$!
for url in "http://127.0.0.1:$port/health" "http://127.0.0.1:$dash_port/"; do
  wait_for "$url" || {
    echo "error: pronoturf serve did not answer $url; its log:" >&2
    cat "$tmp/serve.log" >&2
    exit 1
  }
done
dead_port=$(free_port) # nothing listens there once the probe socket is closed

fail=0
expect() { # name, expected exit (0 or nonzero), then env assignments for healthcheck.sh
  local name=$1 want=$2 rc=0
  shift 2
  env "$@" bash scripts/healthcheck.sh >"$tmp/out" 2>&1 || rc=$?
  if { [ "$want" = 0 ] && [ "$rc" = 0 ]; } || { [ "$want" = nonzero ] && [ "$rc" != 0 ]; }; then
    echo "ok   $name (exit $rc)"
  else
    echo "FAIL $name (exit $rc)"
    fail=1
  fi
  cat "$tmp/out"
}
grep_out() { # name, pattern that must appear in the last output
  if grep -Eq "$2" "$tmp/out"; then echo "ok   $1"; else echo "FAIL $1"; fail=1; fi
}

api_url="http://127.0.0.1:$port"
expect "a healthy pronoturf serve (API and dashboard) passes" 0 \
  API_URL="$api_url" DASHBOARD_URL="http://127.0.0.1:$dash_port"
grep_out "every row is OK" '^all 6 checks passed$'
expect "a dead dashboard port fails" nonzero \
  API_URL="$api_url" DASHBOARD_URL="http://127.0.0.1:$dead_port"
grep_out "the dashboard row says FAIL with status 000" "^dashboard +http://127.0.0.1:$dead_port/ +000 .*FAIL$"
grep_out "the API rows stay OK" '^api all .* 200 .*OK$'
expect "a dead frontend fails when FRONTEND_URL is set" nonzero \
  API_URL="$api_url" DASHBOARD_URL="http://127.0.0.1:$dash_port" FRONTEND_URL="http://127.0.0.1:$dead_port"
grep_out "only the frontend failed" '^1 of 7 check\(s\) failed$'

port2=$(free_port)
start_api "$port2" "redis://127.0.0.1:$dead_port"
api2=$started
expect "an API whose Redis is down fails" nonzero \
  API_URL="http://127.0.0.1:$port2" DASHBOARD_URL="http://127.0.0.1:$dash_port"
grep_out "the redis row says 503 FAIL" '^api redis .* 503 .*FAIL$'
grep_out "the liveness row stays OK" '^api liveness .* 200 .*OK$'
exit "$fail"
