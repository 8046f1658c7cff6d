#!/usr/bin/env bash
# Real-browser check of the dashboard in headless Chromium (Debian's package): the PMU history is
# loaded into a fresh SQLite database by `pronoturf demo --no-serve` (which also trains a model,
# predicts the last 3 race days and settles their simulated bets, so the Performance and Modèle
# pages and the predictions have data), `pronoturf dashboard` is started on a free port, and every
# page must answer 200, load in Chromium with no console message (a CSP violation or a failed load
# shows there), and leave a 1280x800 screenshot in ci-artifacts/dashboard/ (gitignored).
# Exits non-zero on any failure. Usage: scripts/dashboard_browser_test.sh
set -euo pipefail
cd "$(dirname "$0")/.."
shared=${SHARED_DIR:-../shared}
command -v chromium >/dev/null || { apt-get update -qq && apt-get install -y -qq chromium; }
cargo build --quiet
bin=${CARGO_TARGET_DIR:-$PWD/target}/debug/pronoturf
tmp=$(mktemp -d)
dash=
trap 'kill $dash 2>/dev/null || true; rm -rf "$tmp"' EXIT
out=ci-artifacts/dashboard
rm -rf "$out"
mkdir -p "$out"

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
export DATABASE_URL="sqlite://$tmp/dash.db" ML_MODELS_DIR="$tmp/ml_models" RUST_LOG=warn
"$bin" demo --history "$shared/history/pmu_fr_2026-01_2026-06-15.csv" --predict-days 3 --no-serve >/dev/null
"$bin" dashboard --port "$port" >"$tmp/dash.log" 2>&1 &
dash=$!
base="http://127.0.0.1:$port"
for _ in $(seq 1 50); do
  if curl -fs "$base/health" >/dev/null; then break; fi
  sleep 0.2
done

# The first link to a detail page found on a search page, so ids are never guessed.
first_link() { # search-page-path prefix
  curl -fs "$base$1" | grep -o "href=\"$2[0-9][^\"]*\"" | head -1 | sed -e 's/^href="//' -e 's/"$//' -e 's/&#38;/\&/g'
}

day="date=2026-06-14"
pages=(
  "vue-ensemble|/?$day"
  "vue-ensemble-tout|/?$day&periode=tout"
  "vue-ensemble-filtree|/?$day&periode=6m&piste=VINCENNES&discipline=ATTELE"
  "course|/courses/2026-06-14/1/1?$day"
  "chevaux|/chevaux?q=A&periode=tout"
  "cheval|$(first_link '/chevaux?q=A&periode=tout' /chevaux/)"
  "jockeys|/jockeys?periode=tout"
  "jockey|$(first_link '/jockeys?q=M&periode=tout' /jockeys/)"
  "entraineurs|/entraineurs?periode=tout"
  "entraineur|$(first_link '/entraineurs?q=M&periode=tout' /entraineurs/)"
  "performance|/performance?periode=tout"
  "performance-filtree|/performance?periode=tout&confiance=30&value=1"
  "modele|/modele?periode=tout"
  "exploitation|/exploitation"
)

fail=0
for entry in "${pages[@]}"; do
  name=${entry%%|*}
  path=${entry#*|}
  if [ -z "$path" ]; then
    echo "FAIL $name: no link found on its search page"
    fail=1
    continue
  fi
  status=$(curl -s -o /dev/null -w '%{http_code}' "$base$path")
  log="$tmp/$name.log"
  chromium --headless --no-sandbox --disable-gpu --disable-background-networking \
    --disable-component-update --disable-sync --no-first-run --disable-quic \
    --user-data-dir="$(mktemp -d -p "$tmp")" --enable-logging=stderr --v=0 \
    --hide-scrollbars --window-size=1280,800 --screenshot="$out/$name.png" "$base$path" 2>"$log" >/dev/null || true
  console=$(grep -E 'CONSOLE|Refused to' "$log" || true)
  if [ "$status" = 200 ] && [ -z "$console" ] && [ -s "$out/$name.png" ]; then
    echo "ok   $name ($path)"
  else
    echo "FAIL $name ($path): status $status, screenshot $([ -s "$out/$name.png" ] && echo yes || echo no)"
    [ -n "$console" ] && echo "$console"
    fail=1
  fi
done
if [ $fail -ne 0 ]; then
  echo "dashboard log:" >&2
  cat "$tmp/dash.log" >&2
fi
exit $fail
