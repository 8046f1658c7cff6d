#!/usr/bin/env bash
# Scans the tracked files (or the files given as arguments) for secrets: private keys, passwords
# in URLs, known token formats (Telegram, GitHub, AWS, Slack) and secret-looking assignments in
# config files. A finding on a line that matches an entry of .secrets-allowlist (placeholders and
# test values, each scoped to a path) is allowed. Exits 1 listing every other finding.
# Before scanning, the patterns are checked to catch one planted sample of each kind, so that a
# broken pattern cannot make the check pass silently.
# Usage: scripts/secrets_check.sh [FILE...]
set -euo pipefail
cd "$(dirname "$0")/.."
allowlist=.secrets-allowlist

patterns=(
  # PEM private keys (RSA, EC, OPENSSH, ENCRYPTED...).
  '-----BEGIN [A-Z ]*PRIVATE KEY-----'
  # scheme://user:password@ with a literal password (not ${VAR}, not a *** mask).
  "[a-zA-Z][a-zA-Z0-9+.-]*://[^/[:space:]:@'\"]*:[^/[:space:]@'\"\$*{<][^/[:space:]@'\"]*@"
  # Telegram bot token: the bot's id, a colon, 35 characters.
  '[0-9]{8,10}:[A-Za-z0-9_-]{35}'
  # GitHub, AWS access key, Slack tokens.
  'gh[pousr]_[A-Za-z0-9]{36}'
  'AKIA[0-9A-Z]{16}'
  'xox[baprs]-[A-Za-z0-9-]{10,}'
  # NAME_TOKEN=value, PASSWORD: value... with a literal value of 6+ characters.
  "(TOKEN|PASSWORD|PASSWD|SECRET|API_KEY)[A-Z_]*[\"']?[[:space:]]*[:=][[:space:]]*[\"']?[^[:space:]\"'\$<{]{6,}"
)
args=()
for p in "${patterns[@]}"; do args+=(-e "$p"); done

# Findings as path:line:text, from git grep on tracked files or grep on the given files.
scan() {
  if [ $# -eq 0 ]; then
    git grep -nIE "${args[@]}" || true
  else
    grep -nIHE "${args[@]}" "$@" || true
  fi
}

# True when the finding's line matches an allowlist entry whose path glob matches its path.
allowed() {
  local path=$1 text=$2 glob regex
  [ -f "$allowlist" ] || return 1
  while IFS=$'\t' read -r glob regex; do
    case $glob in '' | '#'*) continue ;; esac
    # shellcheck disable=SC2254 # the glob is meant to match as a pattern
    case $path in
      $glob) if grep -qE -- "$regex" <<<"$text"; then return 0; fi ;;
    esac
  done <"$allowlist"
  return 1
}

# Self-test: one sample per pattern, assembled here so that this file holds none of them.
sample_dir=$(mktemp -d)
trap 'rm -rf "$sample_dir"' EXIT
{
  echo "-----BEGIN RSA PRIV""ATE KEY-----"
  echo "url = \"mysql://app:Zq8""x1Lw@db.example:3306/app\""
  echo "bot = 123456789:AAF""$(printf 'k%.0s' {1..32})"
  echo "gh = ghp_""$(printf 'a%.0s' {1..36})"
  echo "aws = AKIA""ABCDEFGHIJKLMNOP"
  echo "slack = xoxb-""1234567890-abc"
  echo "ADMIN_TOK""EN=c0rrect-horse-battery"
} >"$sample_dir/planted.txt"
planted=$(scan "$sample_dir/planted.txt" | wc -l)
if [ "$planted" -ne 7 ]; then
  echo "error: the patterns caught $planted of the 7 planted secrets" >&2
  exit 2
fi

found=0
while IFS= read -r finding; do
  [ -n "$finding" ] || continue
  path=${finding%%:*}
  rest=${finding#*:}
  text=${rest#*:}
  if ! allowed "$path" "$text"; then
    echo "possible secret: $finding"
    found=$((found + 1))
  fi
done < <(scan "$@")
if [ "$found" -gt 0 ]; then
  echo "error: $found possible secret(s); remove them, or add a test value to $allowlist" >&2
  exit 1
fi
if [ $# -eq 0 ]; then
  echo "no secret in the $(git ls-files | wc -l) tracked files"
else
  echo "no secret in the $# file(s) given"
fi
