#!/usr/bin/env bash
# Load test of a release `pronoturf serve` holding a realistic store (issue #8): the real PMU
# history loaded by `demo --no-serve` (imported, trained, the last 14 days predicted and settled),
# then the HKJC history imported on top (about 128k runners in all). wrk drives the races of a
# day, one race, its predictions, /health and the dashboard overview, at 64 then 256
# connections, against SQLite (in-process cache and queue) and against MariaDB + Redis (a
# database of its own on the local MariaDB, dropped at the end, and a private redis-server).
#
# Fails (exit 1) on any non-2xx answer or socket error (connect, read, write, timeout), and when
# the server's anonymous memory (RssAnon: its heap) after the runs is more than 20 % above its
# level before them, taken after a warm-up that is not counted in the table: one request per
# endpoint, then rounds of 5 s of wrk per endpoint at each connection count: at least 3, and
# more (6 at most) while a round still raises the heap's highest level by over 5 %. "Before" is
# that highest level: what any server holds at this concurrency (response cache, connection
# buffers, database connections' page caches, pages the allocator keeps for reuse, which vary
# by a few MiB from one idle moment to the next) is in the baseline, and growth beyond it means
# a leak. VmRSS is printed too but not judged: it also counts the pages of the SQLite file that
# each pooled connection maps (shared with the page cache, and counted once per mapping), which
# grow with the part of the database read.
# Prints one row per run and the RSS of `serve`: cold (started, nothing asked), warm, peak
# (VmHWM) and after, and the heap: its highest level in the warm-up, and after.
#
# Usage: scripts/load.sh [DURATION_SECONDS]   (default 60; e.g. 5 for a quick check)
# Environment: LOAD_BACKENDS="sqlite mysql" (default both), LOAD_CONNECTIONS="64 256",
# LOAD_BIN (a pronoturf binary to use instead of building the release one, for a dry run),
# SHARED_DIR (the shared folder, default ../shared). The
# MariaDB side uses root@127.0.0.1:3306 without password (the local test server).
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/serve_lib.sh
. scripts/serve_lib.sh
duration=${1:-60}
backends=${LOAD_BACKENDS:-sqlite mysql}
connections=${LOAD_CONNECTIONS:-64 256}
shared=${SHARED_DIR:-../shared}
pmu=$shared/history/pmu_fr_2026-01_2026-06-15.csv
hkjc=$shared/history/hkjc_2016-2023.csv
day=2026-06-14

command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk; }
bin=${LOAD_BIN:-}
if [ -z "$bin" ]; then
  cargo build --release --quiet --bin pronoturf
  bin=$PWD/target/release/pronoturf
fi
tmp=$(mktemp -d)
serve_pid=
redis_pid=
mysql_db=
cleanup() {
  [ -n "$serve_pid" ] && kill "$serve_pid" 2>/dev/null
  [ -n "$redis_pid" ] && kill "$redis_pid" 2>/dev/null
  if [ -n "$mysql_db" ]; then
    mysql --host=127.0.0.1 --user=root -e "drop database if exists $mysql_db" || true
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT
rss_kib() { awk -v k="$2" '$1 == k":" {print $2}' "/proc/$1/status"; }
mib() { awk -v k="$1" 'BEGIN {printf "%.1f", k / 1024}'; }

# wrk prints this one line at the end of each run: what the table below is made of.
cat >"$tmp/summary.lua" <<'LUA'
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT %d %.1f %.2f %.2f %.2f %d %d\n", summary.requests,
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000, e.status,
    e.connect + e.read + e.write + e.timeout))
end
LUA

wait_up() { # url: true once it answers 200, within 30 s
  for _ in $(seq 1 300); do
    curl -fs -o /dev/null "$1" && return 0
    sleep 0.1
  done
  return 1
}

fail=0
run_backend() { # name: loads the store, starts serve, runs wrk, stops serve
  local name=$1 api_port dash_port
  export ML_MODELS_DIR="$tmp/$name-models" RUST_LOG=warn
  echo "== $name: loading the store (demo --no-serve with the PMU history, then HKJC)"
  # The slow-query warnings of the bulk load are expected; they would bury the table.
  RUST_LOG=error "$bin" demo --history "$pmu" --no-serve | tail -n 3
  RUST_LOG=error "$bin" import "$hkjc" >/dev/null
  "$bin" stats --json | python3 -c 'import json,sys; s=json.load(sys.stdin); print("store: {} races, {} runners".format(s["races"], s["runners"]))'
  api_port=$(free_port)
  dash_port=$(free_port)
  SCHEDULE_SYNC='' SCHEDULE_ODDS='' SCHEDULE_PREDICT='' SCHEDULE_RESULTS='' SCHEDULE_RETRAIN='' \
    SCHEDULE_REPORT='' "$bin" serve --api-port "$api_port" --dashboard-port "$dash_port" \
    >"$tmp/$name-serve.log" 2>&1 &
  serve_pid=$!
  local api="http://127.0.0.1:$api_port" dash="http://127.0.0.1:$dash_port"
  if ! wait_up "$api/health" || ! wait_up "$dash/"; then
    echo "error: serve did not start; its log:" >&2
    cat "$tmp/$name-serve.log" >&2
    exit 1
  fi
  sleep 1
  local cold warm peak after
  cold=$(rss_kib "$serve_pid" VmRSS)
  local race
  race=$(curl -fs "$api/api/v1/races?date=$day" | python3 -c 'import json,sys; r=json.load(sys.stdin)["races"][0]; print("{}/{}".format(r["meeting"], r["race"]))')
  local urls=("$api/api/v1/races?date=$day" "$api/api/v1/races/$day/$race"
    "$api/api/v1/races/$day/$race/predictions" "$api/health" "$dash/?date=$day")
  for url in "${urls[@]}"; do
    curl -fs -o /dev/null "$url" || { echo "error: $url does not answer 200" >&2; exit 1; }
  done
  local c round heap warm_anon=0 after_anon
  for round in 1 2 3 4 5 6; do
    for c in $connections; do
      for url in "${urls[@]}"; do
        wrk -t2 -c"$c" -d5s --timeout 5s "$url" >/dev/null
      done
    done
    sleep 2
    heap=$(rss_kib "$serve_pid" RssAnon)
    echo "$name warm-up round $round: heap $(mib "$heap") MiB"
    if [ "$round" -ge 3 ] && [ "$heap" -le $((warm_anon * 105 / 100)) ]; then
      [ "$heap" -gt "$warm_anon" ] && warm_anon=$heap
      break
    fi
    [ "$heap" -gt "$warm_anon" ] && warm_anon=$heap
  done
  warm=$(rss_kib "$serve_pid" VmRSS)
  printf '%-8s %-5s %-44s %9s %10s %8s %8s %8s %6s %6s\n' backend conns endpoint requests "req/s" \
    "p50 ms" "p99 ms" "max ms" non2xx socket
  local url line label
  for c in $connections; do
    for url in "${urls[@]}"; do
      line=$(wrk -t2 -c"$c" -d"${duration}s" --timeout 5s -s "$tmp/summary.lua" "$url" | grep '^RESULT ')
      read -r _ requests rps p50 p99 max non2xx socket <<<"$line"
      label=${url#http://127.0.0.1:*/}
      [ "${url#"$dash"}" != "$url" ] && label="dashboard /$label" || label="/$label"
      printf '%-8s %-5s %-44s %9s %10s %8s %8s %8s %6s %6s\n' "$name" "$c" "$label" \
        "$requests" "$rps" "$p50" "$p99" "$max" "$non2xx" "$socket"
      if [ "$non2xx" != 0 ] || [ "$socket" != 0 ]; then fail=1; fi
    done
  done
  sleep 2 # connections closed, requests finished
  after=$(rss_kib "$serve_pid" VmRSS)
  after_anon=$(rss_kib "$serve_pid" RssAnon)
  peak=$(rss_kib "$serve_pid" VmHWM)
  echo "$name serve RSS MiB: cold $(mib "$cold"), warm $(mib "$warm"), peak $(mib "$peak"), after $(mib "$after"); heap: highest in warm-up $(mib "$warm_anon"), after $(mib "$after_anon")"
  if [ "$after_anon" -gt $((warm_anon * 12 / 10)) ]; then
    echo "FAIL $name: anonymous memory grew by more than 20 % under load ($(mib "$warm_anon") -> $(mib "$after_anon") MiB)"
    fail=1
  fi
  kill "$serve_pid"
  wait "$serve_pid" || true
  serve_pid=
}

for backend in $backends; do
  case $backend in
    sqlite)
      DATABASE_URL="sqlite://$tmp/load.db" run_backend sqlite
      ;;
    mysql)
      mysql_db=pronoturf_load_$$
      mysql --host=127.0.0.1 --user=root -e "create database $mysql_db character set utf8mb4"
      redis_port=$(free_port)
      redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no >"$tmp/redis.log" 2>&1 &
      redis_pid=$!
      DATABASE_URL="mysql://root@127.0.0.1:3306/$mysql_db" REDIS_URL="redis://127.0.0.1:$redis_port" run_backend mysql
      ;;
    *)
      echo "error: unknown backend $backend (sqlite or mysql)" >&2
      exit 2
      ;;
  esac
done
if [ "$fail" != 0 ]; then
  echo "FAIL: errors or RSS growth above; see the rows"
  exit 1
fi
echo "ok: no errors, RSS growth within 20 %"
