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

fresh_bench_data
require_free_port
echo "== starting Azora (real PostgreSQL and Redis)" >&2
start_azora AZORA_AUTH_ADMIN_EMAIL=$ADMIN_EMAIL AZORA_AUTH_ADMIN_PASSWORD=$ADMIN_PASSWORD

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


export USERS_FILE="$WORK/users.txt"
alternate_rounds baseline-tx http://127.0.0.1:8081/tx transfers -s bench/transfer.lua
AZORA_RSS=$(rss "$AZORA_PID")

echo "== verifying the ledger" >&2
curl -fs --max-time 600 http://127.0.0.1:4000/api/ledger/verify -H "Authorization: Bearer $ADMIN" > "$WORK/verify.json"
NEGATIVE=$(psql -d azora_bench_mint -tAc "SELECT count(*) FROM accounts WHERE kind = 'wallet' AND balance - held < 0")

echo "| run | req/s | p50 | p99 | errors |"
echo "|---|---|---|---|---|"
round_rows baseline-tx "bare /tx" transfers "POST /api/wallet/transfers ($USERS users)"
echo
echo "transfers / bare tx per round: ${RATIOS[*]} (%); median ${MEDIAN}% ; wallets below zero: $NEGATIVE ; ledger: $(cat "$WORK/verify.json" | head -c 300)"
echo "Azora RSS: $AZORA_RSS ; raw output in $WORK"
