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
WORK=$(mktemp -d /tmp/azora-bench.XXXXXX)
export PGHOST=127.0.0.1 PGUSER=postgres
. bench/lib.sh

# Fresh bench databases each run.
for db in azora_bench_auth azora_bench_mint azora_bench_education; do psql -d postgres -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)"; done

require_free_port
echo "== starting Azora (gateway + auth, real PostgreSQL and Redis)" >&2
AZORA_DATABASE_HOST=127.0.0.1 AZORA_DATABASE_AUTH=azora_bench_auth AZORA_DATABASE_FINANCE=azora_bench_mint AZORA_DATABASE_EDUCATION=azora_bench_education AZORA_REDIS_URL=redis://127.0.0.1:6379 \
AZORA_REDIS_KEY_PREFIX="azora-bench:" AZORA_MANAGEMENT_PORT=0 AZORA_LOG_LEVEL=WARN \
AZORA_RATE_LIMIT_ANONYMOUS=100000000 AZORA_RATE_LIMIT_AUTHENTICATED=100000000 AZORA_RATE_LIMIT_LOGIN_PER_IP=100000000 \
AZORA_AUTH_LOGIN_FAILURES_BEFORE_THROTTLE=1000000 \
  java -jar target/azora.jar >"$WORK/azora.log" 2>&1 &
AZORA_PID=$!
for i in $(seq 1 120); do
  curl -fs -o /dev/null http://127.0.0.1:4000/api/health && break
  kill -0 "$AZORA_PID" 2>/dev/null || { tail -5 "$WORK/azora.log" >&2; exit 1; }
  sleep 0.5
done

echo "== registering $USERS users" >&2
# One printf per user, so parallel jobs never interleave their lines.
seq 1 "$USERS" | xargs -P 4 -I{} sh -c \
  'printf "%s\n" "$(curl -fs -X POST http://127.0.0.1:4000/api/auth/register -H "Content-Type: application/json" \
     -d "{\"email\":\"bench{}-$$@azora.test\",\"password\":\"bench-passphrase-{}\",\"name\":\"Bench {}\"}" \
   | sed -e "s/.*\"accessToken\":\"\([^\"]*\)\".*/\1/")"' | grep '^eyJ' > "$WORK/tokens.txt"
echo "$(wc -l < "$WORK/tokens.txt") tokens" >&2
# Credentials for the login run: re-derive from the registered emails.
psql -d azora_bench_auth -tAc "SELECT email FROM users WHERE email LIKE 'bench%'" \
  | sed -E 's/^bench([0-9]+)-(.*)$/bench\1-\2 bench-passphrase-\1/' > "$WORK/credentials.txt"

echo "== starting the bare reference server" >&2
BASE_PID=$(../shared/bench/baseline/run.sh)


# Warm both up (the JIT needs a while on two shared cores), then measure each in turn.
# Measured here: Azora's profile route plateaus after about 40 s of load; the bare server much sooner.
wrk -t2 -c"$CONNS" -d20s http://127.0.0.1:8081/db >/dev/null
for i in 1 2 3; do
  TOKENS="$WORK/tokens.txt" wrk -t2 -c"$CONNS" -d15s -s bench/profile.lua http://127.0.0.1:4000 >/dev/null 2>&1
done
# Three alternating rounds (reference, then Azora): the machine's drift hits both alike, and the median
# ratio of the rounds is reported.
for round in 1 2 3; do
  run baseline-db-$round http://127.0.0.1:8081/db
  TOKENS="$WORK/tokens.txt" run profile-$round http://127.0.0.1:4000 -s bench/profile.lua
done
AZORA_RSS=$(rss "$AZORA_PID")
if [ -z "${SKIP_LOGIN:-}" ]; then
  CONNS=32 CREDENTIALS="$WORK/credentials.txt" run login http://127.0.0.1:4000 -s bench/login.lua
else
  echo "Requests/sec: 0" > "$WORK/login.txt"
fi

echo "| run | req/s | p50 | p99 | non-2xx |"
echo "|---|---|---|---|---|"
RATIOS=()
for round in 1 2 3; do
  B=$(rate baseline-db-$round); P=$(rate profile-$round)
  RATIOS+=("$(awk -v p="$P" -v b="$B" 'BEGIN {printf "%.0f", 100 * p / b}')")
  echo "| round $round: bare /db (reference) | $B | $(lat baseline-db-$round 50%) | $(lat baseline-db-$round 99%) | $(non2xx baseline-db-$round) |"
  echo "| round $round: GET /api/auth/profile ($USERS users' tokens) | $P | $(lat profile-$round 50%) | $(lat profile-$round 99%) | $(errors profile-$round) |"
done
echo "| POST /api/auth/login (argon2id, c=32) | $(rate login) | $(lat login 50%) | $(lat login 99%) | $(errors login) |"
MEDIAN=$(printf '%s\n' "${RATIOS[@]}" | sort -n | sed -n 2p)
echo
echo "profile / bare db per round: ${RATIOS[*]} (%); median ${MEDIAN}% ; Azora RSS after the profile runs: $AZORA_RSS ; raw output in $WORK"
