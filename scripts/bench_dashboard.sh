#!/usr/bin/env bash
# Server-side render time and weight of every dashboard page, release build, with both history
# files (HKJC 2016-2023 and PMU 2026, ~129k runners) in a fresh SQLite database and the in-process
# cache: HKJC imported, then `pronoturf demo --history PMU --no-serve` trains a model on all but the
# last 14 race days, predicts those and settles their simulated bets (Performance and Modèle data). Each request carries a distinct unknown parameter, so it misses the page cache
# and is rendered from the Store: the time is the full server-side cost (queries, charts,
# template) over loopback. Prints, per page, the median and worst of RUNS requests and the size.
# Targets (issue 6): under 100 ms and under 300 kB per page.
# Usage: scripts/bench_dashboard.sh [RUNS]   (BIN=path skips the build)
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/serve_lib.sh
. scripts/serve_lib.sh
runs=${1:-7}
shared=${SHARED_DIR:-../shared}
if [ -z "${BIN:-}" ]; then
  cargo build --release --quiet
  BIN=${CARGO_TARGET_DIR:-$PWD/target}/release/pronoturf
fi
tmp=$(mktemp -d)
dash=
trap 'kill $dash 2>/dev/null || true; rm -rf "$tmp"' EXIT

export DATABASE_URL="sqlite://$tmp/bench.db" ML_MODELS_DIR="$tmp/ml_models" RUST_LOG=warn
load_benchmark_store "$BIN" "$shared"
"$BIN" stats | grep -iE '^ *(races|runners)' || true
port=$(free_port)
"$BIN" dashboard --port "$port" >"$tmp/dash.log" 2>&1 &
dash=$!
base="http://127.0.0.1:$port"
for _ in $(seq 1 50); do
  if curl -fs "$base/health" >/dev/null; then break; fi
  sleep 0.2
done

# The detail page with the most rows: the first match of a common prefix.
first_link() { # search-page-path prefix
  curl -fs "$base$1" | grep -o "href=\"$2[0-9][^\"]*\"" | head -1 | sed -e 's/^href="//' -e 's/"$//' -e 's/&#38;/\&/g'
}

pages=(
  "vue d'ensemble, 30 j|/?date=2026-06-14"
  "vue d'ensemble, tout|/?date=2026-06-14&periode=tout"
  "vue d'ensemble, filtrée|/?date=2026-06-14&periode=1a&piste=VINCENNES&discipline=ATTELE"
  "course|/courses/2026-06-14/1/1"
  "recherche chevaux|/chevaux?q=A"
  "cheval, tout|$(first_link '/chevaux?q=A&periode=tout' /chevaux/)"
  "recherche jockeys|/jockeys"
  "jockey, tout|$(first_link '/jockeys?q=M&periode=tout' /jockeys/)"
  "recherche entraîneurs|/entraineurs"
  "entraîneur, tout|$(first_link '/entraineurs?q=M&periode=tout' /entraineurs/)"
  "exploitation|/exploitation"
  "performance, 30 j|/performance?date=2026-06-15"
  "performance, tout|/performance?periode=tout"
  "performance, filtrée|/performance?periode=tout&confiance=30&value=1"
  "modèle, 30 j|/modele?date=2026-06-15"
  "modèle, tout|/modele?periode=tout"
  "export CSV, courses|/?date=2026-06-14&format=csv&tableau=courses"
  "export CSV, perf. jours|/performance?periode=tout&format=csv&tableau=jours"
)

# The dashboard computes the champion's feature drift in the background when it starts (the whole
# history read and its features rebuilt); the Modèle page waits for the first report. Measured
# here once, so the pages below are timed in the steady state a user meets.
echo "drift report at start-up (first Modèle page): $(curl -s -o /dev/null -w '%{time_total}' "$base/modele?bench=warm") s"
echo "server RSS before the runs: $(ps -o rss= -p $dash | awk '{printf "%.1f MiB", $1/1024}')"

printf '%-26s %10s %10s %10s  %s\n' page "median ms" "max ms" "kB" path
n=0
for entry in "${pages[@]}"; do
  name=${entry%%|*}
  path=${entry#*|}
  sep='?'
  case $path in *\?*) sep='&' ;; esac
  times=()
  size=0
  for _ in $(seq 1 "$runs"); do
    n=$((n + 1))
    read -r code t s < <(curl -s -o /dev/null -w '%{http_code} %{time_total} %{size_download}\n' "$base$path${sep}bench=$n")
    if [ "$code" != 200 ]; then echo "error: $path answered $code" >&2; exit 1; fi
    times+=("$t")
    size=$s
  done
  printf '%s\n' "${times[@]}" | sort -n | awk -v name="$name" -v size="$size" -v path="$path" '
    { t[NR] = $1 * 1000 }
    END { printf "%-26s %10.1f %10.1f %10.1f  %s\n", name, t[int((NR + 1) / 2)], t[NR], size / 1024, path }'
done
echo "server RSS after the runs: $(ps -o rss= -p $dash | awk '{printf "%.1f MiB", $1/1024}')"
