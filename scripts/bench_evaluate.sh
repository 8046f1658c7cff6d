#!/usr/bin/env bash
# Walk-forward evaluation of the model against the market on the real history, from the Store,
# release build: PMU 2026 (weeks from 2026-04-01, trained on 2026 races only) and HKJC 2021-2023.
# Prints the summary tables and the wall-clock time of each run.
# Usage: scripts/bench_evaluate.sh [pmu|hkjc|all]   (default all)
set -euo pipefail
cd "$(dirname "$0")/.."
which=${1:-all}
cargo build --release --quiet
bin=$PWD/target/release/pronoturf
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export DATABASE_URL="sqlite://$tmp/eval.db" RUST_LOG=warn
"$bin" import ../shared/history/pmu_fr_2026-01_2026-06-15.csv ../shared/history/hkjc_2016-2023.csv >/dev/null
run() {
  local start
  start=$(date +%s%N)
  "$bin" evaluate "$@"
  echo "wall-clock: $(( ($(date +%s%N) - start) / 1000000 )) ms"
  echo
}
if [ "$which" = pmu ] || [ "$which" = all ]; then
  echo "== PMU: pronoturf evaluate --since 2026-01-01 --from 2026-04-01 --to 2026-06-16"
  run --since 2026-01-01 --from 2026-04-01 --to 2026-06-16
fi
if [ "$which" = hkjc ] || [ "$which" = all ]; then
  echo "== HKJC: pronoturf evaluate --since 2016-01-01 --from 2021-01-01 --to 2024-01-01"
  run --since 2016-01-01 --from 2021-01-01 --to 2024-01-01
fi
