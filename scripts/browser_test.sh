#!/usr/bin/env bash
# Real-browser checks in headless Chromium (Debian's package):
#  1. the Swagger UI at /api/v1/docs renders the API's operations from the binary, offline;
#  2. a page served from the frontend's origin (http://localhost:FRONT) fetches JSON from the API
#     (CORS works from a real browser), and a page from a non-allowed origin is refused.
# Exits non-zero on any failure. Usage: scripts/browser_test.sh
set -euo pipefail
cd "$(dirname "$0")/.."
command -v chromium >/dev/null || { apt-get update -qq && apt-get install -y -qq chromium; }
cargo build --quiet
bin=$PWD/target/debug/pronoturf
tmp=$(mktemp -d)
api=
front=
trap 'kill $api $front 2>/dev/null || true; rm -rf "$tmp"' EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
front_port=$(free_port)
other_port=$(free_port)
# The API allows the frontend's origin only (as CORS_ORIGINS does for :3000 in production).
export CORS_ORIGINS="http://localhost:$front_port"
# shellcheck source=scripts/serve_lib.sh
. scripts/serve_lib.sh
start_api "$bin"

browse() { # url -> the DOM after scripts ran
  chromium --headless --no-sandbox --disable-gpu --disable-background-networking \
    --disable-component-update --disable-sync --no-first-run --disable-quic \
    --user-data-dir="$(mktemp -d -p "$tmp")" --virtual-time-budget=10000 --dump-dom "$1" 2>/dev/null
}

fail=0
check() { # name, condition result
  if [ "$2" = yes ]; then echo "ok   $1"; else echo "FAIL $1"; fail=1; fi
}

docs=$(browse "http://127.0.0.1:$port/api/v1/docs/")
ops=$(grep -o 'opblock-summary-path[^>]*>' <<<"$docs" | wc -l)
check "Swagger UI renders the operations ($ops found)" "$([ "$ops" -ge 10 ] && echo yes || echo no)"
check "Swagger UI shows the API title" "$(grep -q 'PronoTurf API' <<<"$docs" && echo yes || echo no)"

mkdir -p "$tmp/site"
cat >"$tmp/site/index.html" <<HTML
<!doctype html><html><body><pre id="out">pending</pre><script>
fetch("http://127.0.0.1:$port/api/v1/races?date=2026-06-14")
  .then(r => r.json())
  .then(j => { document.getElementById("out").textContent = "races=" + j.races.length; })
  .catch(e => { document.getElementById("out").textContent = "blocked " + e; });
</script></body></html>
HTML
(cd "$tmp/site" && exec python3 -m http.server "$front_port" --bind 127.0.0.1 >/dev/null 2>&1) &
front=$!
(cd "$tmp/site" && exec python3 -m http.server "$other_port" --bind 127.0.0.1 >/dev/null 2>&1) &
front="$front $!"
sleep 1
allowed=$(browse "http://localhost:$front_port/index.html")
check "the frontend origin reads the API (CORS)" "$(grep -q 'races=52' <<<"$allowed" && echo yes || echo no)"
refused=$(browse "http://localhost:$other_port/index.html")
check "another origin is refused by the browser" "$(grep -q 'blocked' <<<"$refused" && echo yes || echo no)"
exit $fail
