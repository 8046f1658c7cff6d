#!/usr/bin/env bash
# Runs the whole test suite against both backends: SQLite (always, in-process) and the local
# MariaDB (TEST_MYSQL_URL, default root@127.0.0.1:3306/test) and Redis, starting them if needed.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/services.sh
export TEST_MYSQL_URL=${TEST_MYSQL_URL:-mysql://root@127.0.0.1:3306/test}
export TEST_REDIS_URL=${TEST_REDIS_URL:-redis://127.0.0.1:6379}

if cargo nextest --version >/dev/null 2>&1; then
  cargo nextest run --workspace --all-features --no-fail-fast "$@"
else
  cargo test --workspace --all-features --no-fail-fast "$@"
fi
