#!/usr/bin/env bash
# Checks a running PronoTurf from outside, over HTTP: the API's liveness, database, Redis and
# combined health, its documentation, the dashboard and, when FRONTEND_URL is set, the frontend.
# Prints one line per check and exits non-zero when any fails. Works against docker-compose and
# against a `pronoturf` started by hand.
set -euo pipefail

usage() {
  cat <<'TXT'
Usage: scripts/healthcheck.sh [--help]

Checks, each with a short timeout, that these answer HTTP 2xx:
  API_URL        (default http://localhost:8000): /health, /api/v1/health/db,
                 /api/v1/health/redis, /api/v1/health/all, /api/v1/docs
  DASHBOARD_URL  (default http://localhost:8501): /
  FRONTEND_URL   (checked only when set): /
Prints a table (check, URL, HTTP status, time, OK/FAIL); exits 1 when any check fails.
TIMEOUT (default 5) bounds each request in seconds.
TXT
}

case "${1:-}" in
  -h | --help) usage; exit 0 ;;
  "") ;;
  *) echo "error: unknown argument: $1" >&2; usage >&2; exit 2 ;;
esac

command -v curl >/dev/null || { echo "error: curl is required" >&2; exit 2; }
api=${API_URL:-http://localhost:8000}
dashboard=${DASHBOARD_URL:-http://localhost:8501}
timeout=${TIMEOUT:-5}
api=${api%/}
dashboard=${dashboard%/}

checks=(
  "api liveness|$api/health"
  "api database|$api/api/v1/health/db"
  "api redis|$api/api/v1/health/redis"
  "api all|$api/api/v1/health/all"
  "api docs|$api/api/v1/docs"
  "dashboard|$dashboard/"
)
if [ -n "${FRONTEND_URL:-}" ]; then
  checks+=("frontend|${FRONTEND_URL%/}/")
fi

row='%-14s %-48s %-6s %8s  %s\n'
# shellcheck disable=SC2059 # the format is the constant above
printf "$row" CHECK URL HTTP TIME RESULT
failed=0
for entry in "${checks[@]}"; do
  name=${entry%%|*}
  url=${entry#*|}
  # A refused connection or a timeout leaves code 000; curl's own exit status is not needed.
  # Redirects are followed (the docs answer from a trailing-slash URL).
  out=$(curl -s -L --max-redirs 3 -o /dev/null --connect-timeout 2 --max-time "$timeout" \
    -w '%{http_code} %{time_total}' "$url" || true)
  code=${out%% *}
  seconds=${out#* }
  [ -n "$code" ] || code=000
  ms=$(awk -v s="${seconds:-0}" 'BEGIN { printf "%.0f ms", s * 1000 }')
  if [[ $code == 2?? ]]; then
    result=OK
  else
    result=FAIL
    failed=$((failed + 1))
  fi
  # shellcheck disable=SC2059
  printf "$row" "$name" "$url" "$code" "$ms" "$result"
done

if [ "$failed" -gt 0 ]; then
  echo "$failed of ${#checks[@]} check(s) failed" >&2
  exit 1
fi
echo "all ${#checks[@]} checks passed"
