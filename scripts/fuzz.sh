#!/usr/bin/env bash
# Fuzzes the parsers that read outside input (cargo-fuzz, libFuzzer with AddressSanitizer):
# Turfinfo programme, participants and payouts, the musique, the history CSV. Each target runs
# SECONDS on a corpus made of the seeds in fuzz/seeds (ours), what earlier runs kept in
# fuzz/corpus (not tracked), and, when ../shared is there, the recorded payloads and the head of
# each history file copied into a temporary folder. A crash or a broken property stops the run
# with status 1 and leaves the input in fuzz/artifacts/TARGET.
# FUZZ_SANITIZER=none skips AddressSanitizer: the parsers are safe Rust, where ASan finds nothing
# a panic would not show, and the instrumented build costs CI minutes (the long run keeps it).
# Usage: scripts/fuzz.sh [SECONDS] [TARGET...]   (default 20 s per target, every target)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-20}
shift || true
# Only the stable toolchain exists here; cargo-fuzz needs nightly flags (-Zsanitizer=address),
# which RUSTC_BOOTSTRAP=1 unlocks on stable.
export RUSTC_BOOTSTRAP=1
if ! cargo fuzz --version >/dev/null 2>&1; then
  cargo install --locked cargo-fuzz
fi
cd fuzz
if [ $# -gt 0 ]; then
  targets=("$@")
else
  mapfile -t targets < <(cargo fuzz list)
fi
# Inputs above 64 KiB only slow the run down; the parsers stream through bigger ones the same way.
max_len=65536
sanitizer=${FUZZ_SANITIZER:-address}
cargo fuzz build --sanitizer "$sanitizer"
extra=$(mktemp -d)
trap 'rm -rf "$extra"' EXIT
shared=../../shared
for target in "${targets[@]}"; do
  mkdir -p "corpus/$target" "$extra/$target"
  if [ -d "$shared" ]; then
    case $target in
      programme | participants | rapports)
        find "$shared/pmu" -name "*${target}*.json" -size -64k -exec cp {} "$extra/$target/" \; ;;
      history_csv)
        for f in "$shared"/history/*.csv; do
          head -n 300 "$f" >"$extra/$target/$(basename "$f")"
        done ;;
    esac
  fi
  echo "== fuzz $target for $seconds s"
  status=0
  cargo fuzz run --sanitizer "$sanitizer" "$target" "corpus/$target" "seeds/$target" "$extra/$target" -- \
    -max_total_time="$seconds" -max_len="$max_len" -rss_limit_mb=2048 -timeout=10 \
    -print_final_stats=1 >"$extra/$target.log" 2>&1 || status=$?
  # The summary lines only; the whole log when it failed.
  if [ "$status" -ne 0 ]; then
    cat "$extra/$target.log" >&2
    echo "error: fuzz target $target failed; the input is in fuzz/artifacts/$target" >&2
    exit 1
  fi
  grep -E "^(#[0-9]+ +DONE|stat::(number_of_executed_units|average_exec_per_sec|new_units_added|peak_rss_mb))" \
    "$extra/$target.log" || true
done
