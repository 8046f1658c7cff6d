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
tmp=$(mktemp -d)
api=
trap 'kill $api 2>/dev/null || true; rm -rf "$tmp"' EXIT
# A copy, from wherever cargo builds (CARGO_TARGET_DIR may be shared with other builds).
bin=$tmp/pronoturf
cp "${CARGO_TARGET_DIR:-$PWD/target}/debug/pronoturf" "$bin"
# shellcheck source=scripts/serve_lib.sh
. scripts/serve_lib.sh
start_api "$bin"
st run "http://127.0.0.1:$port/api/v1/openapi.json" --checks all -n "$examples" \
  --request-timeout 10 --seed 1
