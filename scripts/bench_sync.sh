#!/usr/bin/env bash
# Measures `pronoturf sync` of a full day from a local HTTP server (no internet): the recorded
# programme of 2025-11-05 (every meeting and race of the day), and for every race the recorded
# participants and final payouts (those of R1C1 NANTES, served for each race: the parse, mapping
# and write work per race is the real one). Release build (PROFILE=debug for the debug one),
# fresh SQLite database each run.
# Usage: [SHARED=../shared] scripts/bench_sync.sh [RUNS]   (default 3)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}
pmu=${SHARED:-../shared}/pmu
profile=${PROFILE:-release}
if [ "$profile" = release ]; then cargo build --release --quiet; else cargo build --quiet; fi
bin=./target/$profile/pronoturf
tmp=$(mktemp -d)
server=
trap 'kill $server 2>/dev/null || true; rm -rf "$tmp"' EXIT
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cat >"$tmp/server.py" <<'PY'
import http.server, socketserver, sys
pmu, port = sys.argv[1], int(sys.argv[2])
files = {
    "programme": f"{pmu}/programme_2025-11-05.json",
    "participants": f"{pmu}/participants_2025-11-05_R1C1_NANTES_trot-monte.json",
    "rapports-definitifs": f"{pmu}/rapports-definitifs_2025-11-05_R1C1_NANTES_trot-monte.json",
}
bodies = {k: open(v, "rb").read() for k, v in files.items()}
class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def do_GET(self):
        parts = self.path.split("?")[0].rstrip("/").split("/")
        if parts[-2:] == ["programme", "05112025"]:
            body = bodies["programme"]
        elif parts[-1] in bodies and "05112025" in parts:
            body = bodies[parts[-1]]
        else:
            self.send_response(404); self.send_header("content-length", "0"); self.end_headers()
            return
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *args):
        pass
class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
Server(("127.0.0.1", port), Handler).serve_forever()
PY
python3 "$tmp/server.py" "$pmu" "$port" &
server=$!
up=
for _ in $(seq 1 50); do
  if curl -fs -o /dev/null "http://127.0.0.1:$port/rest/client/61/programme/05112025"; then
    up=1
    break
  fi
  sleep 0.1
done
[ -n "$up" ] || { echo "error: the payload server did not start" >&2; exit 1; }
export PMU_BASE_URL="http://127.0.0.1:$port/rest/client/61" RUST_LOG=warn
for run in $(seq 1 "$runs"); do
  export DATABASE_URL="sqlite://$tmp/sync-$run.db"
  "$bin" migrate >/dev/null
  start=$(date +%s.%N)
  "$bin" sync --date 2025-11-05 --json >"$tmp/summary.json"
  end=$(date +%s.%N)
  printf 'run %s: %.2f s  ' "$run" "$(echo "$end - $start" | bc)"
  python3 -c 'import json,sys; s=json.load(open(sys.argv[1])); print({k: v for k, v in s.items() if not isinstance(v, (list, dict))})' "$tmp/summary.json"
done
"$bin" stats
