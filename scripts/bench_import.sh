#!/usr/bin/env bash
# Benchmark: import of the real history CSVs into a fresh SQLite database, release build, with
# hyperfine (each run starts from an empty database). Results go to stdout as a Markdown table.
# Usage: scripts/bench_import.sh [RUNS]   (default 5)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
command -v hyperfine >/dev/null || { apt-get update -qq && apt-get install -y -qq hyperfine; }
cargo build --release --quiet
bin=$PWD/target/release/pronoturf
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export DATABASE_URL="sqlite://$tmp/bench.db" LOG_FORMAT=pretty RUST_LOG=warn
for file in ../shared/history/hkjc_2016-2023.csv ../shared/history/pmu_fr_2026-01_2026-06-15.csv; do
  hyperfine --runs "$runs" --prepare "rm -f $tmp/bench.db*" \
    --export-markdown "$tmp/out.md" "$bin import $file" >/dev/null
  cat "$tmp/out.md"
  echo
done
# The same import into MariaDB/MySQL when BENCH_MYSQL_URL names a server (database pronoturf_bench
# is dropped and recreated before each run).
if [ -n "${BENCH_MYSQL_URL:-}" ]; then
  base=${BENCH_MYSQL_URL%/*}
  hyperfine --runs "$runs" \
    --prepare "mysql --host=127.0.0.1 --user=root -e 'drop database if exists pronoturf_bench; create database pronoturf_bench'" \
    --export-markdown "$tmp/out.md" \
    "env DATABASE_URL=$base/pronoturf_bench $bin import ../shared/history/hkjc_2016-2023.csv" >/dev/null
  cat "$tmp/out.md"
  echo
fi
# Re-import into a populated database (idempotent: nothing changes).
hyperfine --runs "$runs" --export-markdown "$tmp/out.md" \
  "$bin import ../shared/history/hkjc_2016-2023.csv" >/dev/null
cat "$tmp/out.md"
