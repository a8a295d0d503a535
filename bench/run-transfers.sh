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
ADMIN_EMAIL=bench-admin@azora.test
ADMIN_PASSWORD=bench-admin-passphrase
. bench/lib.sh

fresh_bench_data
require_free_port
echo "== starting Azora (real PostgreSQL and Redis)" >&2
start_azora AZORA_AUTH_ADMIN_EMAIL=$ADMIN_EMAIL AZORA_AUTH_ADMIN_PASSWORD=$ADMIN_PASSWORD

ADMIN=$(login $ADMIN_EMAIL $ADMIN_PASSWORD)
register_funded_users "$ADMIN"

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
