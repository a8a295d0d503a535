#!/usr/bin/env bash
# Auth benchmark: authenticated profile reads (gateway -> bus -> auth -> PostgreSQL) and logins, against
# the bare Vert.x reference server's /db route, both measured in this same run on this machine.
# Needs: wrk, PostgreSQL on 127.0.0.1:5432 and Redis on 127.0.0.1:6379 (as CI has), a built target/azora.jar
# (mvn -B -DskipTests package). Usage: bench/run-auth.sh [users=1000] [duration=15s] [connections=256]
set -euo pipefail
cd "$(dirname "$0")/.."
USERS=${1:-1000}
DURATION=${2:-15s}
CONNS=${3:-256}
. bench/lib.sh

fresh_bench_data
require_free_port
echo "== starting Azora (real PostgreSQL and Redis)" >&2
start_azora AZORA_LOG_LEVEL=WARN AZORA_AUTH_LOGIN_FAILURES_BEFORE_THROTTLE=1000000

register_users
cut -d' ' -f1 "$WORK/users.txt" > "$WORK/tokens.txt"
# Credentials for the login run: re-derive from the registered emails.
psql -d azora_bench_auth -tAc "SELECT email FROM users WHERE email LIKE 'bench%'" \
  | sed -E 's/^bench([0-9]+)-(.*)$/bench\1-\2 bench-passphrase-\1/' > "$WORK/credentials.txt"

echo "== starting the bare reference server" >&2
BASE_PID=$(../shared/bench/baseline/run.sh)


# Measured here: Azora's profile route plateaus after about 40 s of load; the bare server much sooner.
export TOKENS="$WORK/tokens.txt"
alternate_rounds baseline-db http://127.0.0.1:8081/db profile -s bench/profile.lua
AZORA_RSS=$(rss "$AZORA_PID")
if [ -z "${SKIP_LOGIN:-}" ]; then
  CONNS=32 CREDENTIALS="$WORK/credentials.txt" run login http://127.0.0.1:4000 -s bench/login.lua
else
  echo "Requests/sec: 0" > "$WORK/login.txt"
fi

echo "| run | req/s | p50 | p99 | errors |"
echo "|---|---|---|---|---|"
round_rows baseline-db "bare /db" profile "GET /api/auth/profile ($USERS users' tokens)"
echo "| POST /api/auth/login (argon2id, c=32) | $(rate login) | $(lat login 50%) | $(lat login 99%) | $(errors login) |"
echo
echo "profile / bare db per round: ${RATIOS[*]} (%); median ${MEDIAN}% ; Azora RSS after the profile runs: $AZORA_RSS ; raw output in $WORK"
