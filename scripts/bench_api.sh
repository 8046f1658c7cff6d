#!/usr/bin/env bash
# API throughput and latency with wrk: /health against the races of a day (served from the cache),
# 64 connections, DURATION seconds each (default 30), release build, the real PMU history in a fresh
# SQLite database and the in-process cache; with --mysql, a fresh database on the local MariaDB
# (MYSQL_SERVER, default mysql://root@127.0.0.1:3306) and Redis (REDIS_URL, default database 9 of
# the local server) as the cache, the deployed set-up.
# Prints wrk's reports; the summary tables in BENCHMARKS.md are copied from them.
# Usage: scripts/bench_api.sh [--mysql] [DURATION]
set -euo pipefail
cd "$(dirname "$0")/.."
mysql=
if [ "${1:-}" = --mysql ]; then
  mysql=pronoturf_bench_$$
  shift
fi
duration=${1:-30}
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk; }
cargo build --release --quiet
bin=$PWD/target/release/pronoturf
tmp=$(mktemp -d)
api=
cleanup() {
  kill $api 2>/dev/null || true
  rm -rf "$tmp"
  if [ -n "$mysql" ]; then mysql -h 127.0.0.1 -u root -e "DROP DATABASE IF EXISTS $mysql"; fi
}
trap cleanup EXIT
if [ -n "$mysql" ]; then
  mysql -h 127.0.0.1 -u root -e "CREATE DATABASE $mysql"
  export BENCH_DATABASE_URL="${MYSQL_SERVER:-mysql://root@127.0.0.1:3306}/$mysql"
  export REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379/9}
fi
# shellcheck source=scripts/serve_lib.sh
. scripts/serve_lib.sh
start_api "$bin"
races="/api/v1/races?date=2026-06-14"
curl -fs "http://127.0.0.1:$port$races" >/dev/null # warm the cache
echo "races of 2026-06-14: $(curl -fs "http://127.0.0.1:$port$races" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["races"]))') races, x-cache: $(curl -fsI "http://127.0.0.1:$port$races" | tr -d '\r' | awk -F': ' 'tolower($1)=="x-cache"{print $2}')"
for path in /health "$races"; do
  echo "== GET $path"
  wrk -t2 -c64 -d"${duration}s" --latency "http://127.0.0.1:$port$path"
done
echo "server RSS after the runs: $(ps -o rss= -p $api | awk '{printf "%.1f MiB", $1/1024}')"
