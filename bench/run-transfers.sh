#!/usr/bin/env bash
# Transfer benchmark: POST /api/wallet/transfers through the gateway (JWT, rate limit, Idempotency-Key in
# Redis, event bus, one post_transfers() call in PostgreSQL with its hash chains and outbox event),
# against the bare Vert.x reference server's /tx route (BEGIN; UPDATE; SELECT; COMMIT), measured in this
# same run on this machine, three alternating rounds, median ratio. Ends with /api/ledger/verify.
# Needs: wrk, PostgreSQL on 127.0.0.1:5432 and Redis on 127.0.0.1:6379, a built target/azora.jar.
# Usage: bench/run-transfers.sh [users=1000] [duration=15s] [connections=256]
set -euo pipefail
cd "$(dirname "$0")/.."
USERS=${1:-1000}
DURATION=${2:-15s}
CONNS=${3:-256}
WORK=$(mktemp -d /tmp/azora-bench.XXXXXX)
ADMIN_EMAIL=bench-admin@azora.test
ADMIN_PASSWORD=bench-admin-passphrase
export PGHOST=127.0.0.1 PGUSER=postgres
. bench/lib.sh

for db in azora_bench_auth azora_bench_mint azora_bench_education; do psql -d postgres -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)"; done
redis-cli -h 127.0.0.1 --scan --pattern 'azora-bench:*' | xargs -r redis-cli -h 127.0.0.1 del >/dev/null

require_free_port
echo "== starting Azora (gateway + auth + finance, real PostgreSQL and Redis)" >&2
AZORA_DATABASE_HOST=127.0.0.1 AZORA_DATABASE_AUTH=azora_bench_auth AZORA_DATABASE_FINANCE=azora_bench_mint AZORA_DATABASE_EDUCATION=azora_bench_education \
AZORA_REDIS_URL=redis://127.0.0.1:6379 AZORA_REDIS_KEY_PREFIX="azora-bench:" AZORA_MANAGEMENT_PORT=0 \
AZORA_RATE_LIMIT_ANONYMOUS=100000000 AZORA_RATE_LIMIT_AUTHENTICATED=100000000 AZORA_RATE_LIMIT_LOGIN_PER_IP=100000000 \
AZORA_AUTH_ADMIN_EMAIL=$ADMIN_EMAIL AZORA_AUTH_ADMIN_PASSWORD=$ADMIN_PASSWORD \
  java ${AZORA_JAVA_OPTS:-} -jar target/azora.jar >"$WORK/azora.log" 2>&1 &
AZORA_PID=$!
for i in $(seq 1 120); do
  [ "$(curl -s http://127.0.0.1:4000/api/health | grep -o '"status":"healthy"')" ] && break
  kill -0 "$AZORA_PID" 2>/dev/null || { tail -5 "$WORK/azora.log" >&2; exit 1; }
  sleep 0.5
done

login() { curl -fs -X POST http://127.0.0.1:4000/api/auth/login -H "Content-Type: application/json" \
  -d "{\"email\":\"$1\",\"password\":\"$2\"}" | sed -e 's/.*"accessToken":"\([^"]*\)".*/\1/'; }
ADMIN=$(login $ADMIN_EMAIL $ADMIN_PASSWORD)

echo "== registering and funding $USERS users" >&2
seq 1 "$USERS" | xargs -P 4 -I{} sh -c \
  'printf "%s\n" "$(curl -fs -X POST http://127.0.0.1:4000/api/auth/register -H "Content-Type: application/json" \
     -d "{\"email\":\"bench{}-$$@azora.test\",\"password\":\"bench-passphrase-{}\",\"name\":\"Bench {}\"}" \
   | sed -e "s/.*\"user\":{\"id\":\"\([^\"]*\)\".*\"accessToken\":\"\([^\"]*\)\".*/\2 \1/")"' | grep '^eyJ' > "$WORK/users.txt"
echo "$(wc -l < "$WORK/users.txt") users" >&2
cut -d' ' -f2 "$WORK/users.txt" | xargs -P 4 -I{} curl -fs -o /dev/null -X POST \
  "http://127.0.0.1:4000/api/admin/wallets/{}/grants" -H "Authorization: Bearer $ADMIN" \
  -H "Content-Type: application/json" -d '{"amount":"10000","reason":"bench funds"}'

echo "== starting the bare reference server" >&2
BASE_PID=$(../shared/bench/baseline/run.sh)


# Warm-up: the JIT needs a while on two shared cores.
wrk -t2 -c"$CONNS" -d20s http://127.0.0.1:8081/tx >/dev/null
for i in 1 2 3; do
  USERS="$WORK/users.txt" wrk -t2 -c"$CONNS" -d15s -s bench/transfer.lua http://127.0.0.1:4000 >/dev/null 2>&1
done
for round in 1 2 3; do
  run baseline-tx-$round http://127.0.0.1:8081/tx
  USERS="$WORK/users.txt" run transfers-$round http://127.0.0.1:4000 -s bench/transfer.lua
done
AZORA_RSS=$(rss "$AZORA_PID")

echo "== verifying the ledger" >&2
curl -fs --max-time 600 http://127.0.0.1:4000/api/ledger/verify -H "Authorization: Bearer $ADMIN" > "$WORK/verify.json"
NEGATIVE=$(psql -d azora_bench_mint -tAc "SELECT count(*) FROM accounts WHERE kind = 'wallet' AND balance - held < 0")

echo "| run | req/s | p50 | p99 | errors |"
echo "|---|---|---|---|---|"
RATIOS=()
for round in 1 2 3; do
  B=$(rate baseline-tx-$round); T=$(rate transfers-$round)
  RATIOS+=("$(awk -v t="$T" -v b="$B" 'BEGIN {printf "%.0f", 100 * t / b}')")
  echo "| round $round: bare /tx (reference) | $B | $(lat baseline-tx-$round 50%) | $(lat baseline-tx-$round 99%) | $(non2xx baseline-tx-$round) |"
  echo "| round $round: POST /api/wallet/transfers ($USERS users) | $T | $(lat transfers-$round 50%) | $(lat transfers-$round 99%) | $(errors transfers-$round) |"
done
MEDIAN=$(printf '%s\n' "${RATIOS[@]}" | sort -n | sed -n 2p)
echo
echo "transfers / bare tx per round: ${RATIOS[*]} (%); median ${MEDIAN}% ; wallets below zero: $NEGATIVE ; ledger: $(cat "$WORK/verify.json" | head -c 300)"
echo "Azora RSS: $AZORA_RSS ; raw output in $WORK"
