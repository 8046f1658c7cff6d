# shellcheck shell=bash
# shellcheck disable=SC2154,SC2034 # $tmp comes from the caller; $port and $api are for it.
# Shared by the scripts that test or measure a live server: sourced, not run.
# free_port: prints a TCP port free on 127.0.0.1.
# load_benchmark_store BIN SHARED: fills the database at $DATABASE_URL with both histories under
# SHARED (HKJC imported, then `demo --history PMU --predict-days 14 --no-serve`: ~128k runners,
# a trained model, the last 14 days predicted and settled), as the dashboard and memory
# benchmarks measure it.
# start_api BIN: imports the real PMU history into a fresh SQLite database in $tmp (or into
# $BENCH_DATABASE_URL when set, an empty database the caller owns), starts
# `BIN api` on a free port, waits for /health, and sets $port and $api (the server's pid).
# The caller creates $tmp and kills $api at exit.

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

load_benchmark_store() {
  local bin=$1 shared=$2
  "$bin" import "$shared/history/hkjc_2016-2023.csv" >/dev/null
  "$bin" demo --history "$shared/history/pmu_fr_2026-01_2026-06-15.csv" --predict-days 14 --no-serve >/dev/null
}

start_api() {
  local bin=$1
  port=$(free_port)
  export DATABASE_URL="${BENCH_DATABASE_URL:-sqlite://$tmp/api.db}" RUST_LOG=warn
  "$bin" import ../shared/history/pmu_fr_2026-01_2026-06-15.csv >/dev/null
  "$bin" api --port "$port" >"$tmp/api.log" 2>&1 &
  api=$!
  for _ in $(seq 1 50); do
    if curl -fs "http://127.0.0.1:$port/health" >/dev/null; then return 0; fi
    sleep 0.2
  done
  echo "error: the API did not start; its log:" >&2
  cat "$tmp/api.log" >&2
  return 1
}
