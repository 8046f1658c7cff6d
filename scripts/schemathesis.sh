#!/usr/bin/env bash
# Property-based test of the live API against its own OpenAPI spec (schemathesis, all checks):
# no 5xx, every response matches the spec, invalid input is refused. Serves the real PMU history
# from a fresh SQLite database on a free port, and stops the server at the end.
# Usage: scripts/schemathesis.sh [MAX_EXAMPLES]   (default 30 per operation)
set -euo pipefail
cd "$(dirname "$0")/.."
examples=${1:-30}
command -v st >/dev/null || pip install -q "schemathesis==4.32.5"
cargo build --quiet
bin=$PWD/target/debug/pronoturf
tmp=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
export DATABASE_URL="sqlite://$tmp/st.db" RUST_LOG=warn
"$bin" import ../shared/history/pmu_fr_2026-01_2026-06-15.csv >/dev/null
"$bin" api --port "$port" >"$tmp/api.log" 2>&1 &
api=$!
trap 'kill $api 2>/dev/null || true; rm -rf "$tmp"' EXIT
for _ in $(seq 1 50); do
  curl -fs "http://127.0.0.1:$port/health" >/dev/null && break
  sleep 0.2
done
st run "http://127.0.0.1:$port/api/v1/openapi.json" --checks all -n "$examples" \
  --request-timeout 10 --seed 1
