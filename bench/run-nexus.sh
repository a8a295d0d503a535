#!/usr/bin/env bash
# Nexus costs, as operators pay them: database transactions per second while idle (relays and catch-ups
# polling), handler invocations per event (deliveries attempted), and pass → mined latency under the
# attempts load (education → Nexus → finance mints → Nexus → education). First one node running
# INSTANCES instances of every verticle, then two clustered nodes with INSTANCES / 2 each.
# Needs: wrk, python3, PostgreSQL on 127.0.0.1:5432 and Redis on 127.0.0.1:6379, a built target/azora.jar.
# Usage: bench/run-nexus.sh [instances=8] [learners=300] [events=200]
set -euo pipefail
cd "$(dirname "$0")/.."
INSTANCES=${1:-8}
LEARNERS=${2:-300}
EVENTS=${3:-200}
DURATION=15s
CONNS=${CONNS:-64}
. bench/lib.sh
ADMIN=(AZORA_AUTH_ADMIN_EMAIL=bench-admin@azora.test AZORA_AUTH_ADMIN_PASSWORD=bench-admin-passphrase
  AZORA_EDUCATION_ATTEMPTS_PER_WINDOW=100000000 AZORA_LOG_LEVEL=WARN)

# Transactions committed per second in the bench databases while nothing is asked of Azora.
idle_commits() {
  local c0 c1
  sleep 10
  c0=$(psql -d postgres -tAc "SELECT sum(xact_commit) FROM pg_stat_database WHERE datname LIKE 'azora_bench_%'")
  sleep 20
  c1=$(psql -d postgres -tAc "SELECT sum(xact_commit) FROM pg_stat_database WHERE datname LIKE 'azora_bench_%'")
  awk -v a="$c0" -v b="$c1" 'BEGIN {printf "%.1f", (b - a) / 20}'
}

# Handler invocations for user.registered events, summed over the nodes' metrics (management ports given).
handled() {
  local total=0 port n
  for port in "$@"; do
    n=$(curl -fs "http://127.0.0.1:$port/metrics" | awk -F' ' '/^vertx_eventbus_processed_total\{address="nexus\.user\.registered/ {s += $2} END {print s + 0}')
    total=$(awk -v a="$total" -v b="$n" 'BEGIN {print a + b}')
  done
  echo "$total"
}

# Handler invocations per event: EVENTS registrations (each one user.registered, which finance consumes).
deliveries_per_event() {
  local before after
  before=$(handled "$@")
  seq 1 "$EVENTS" | xargs -P 4 -I{} curl -fs -o /dev/null -X POST http://127.0.0.1:4000/api/auth/register \
    -H "Content-Type: application/json" -d "{\"email\":\"nexus{}-$RANDOM$$@azora.test\",\"password\":\"nexus-passphrase-{}\",\"name\":\"N\"}"
  sleep 5
  after=$(handled "$@")
  awk -v a="$before" -v b="$after" -v n="$EVENTS" 'BEGIN {printf "%.2f", (b - a) / n}'
}

# Seeds, runs the attempts load, and prints pass → reward p50 / p99 / max (seconds) from the databases.
pass_to_mined() {
  local name=$1
  python3 bench/seed.py --learners "$LEARNERS" --courses 20 --out "$WORK/seed-$name" --admin-email bench-admin@azora.test \
    --admin-password bench-admin-passphrase >&2
  ATTEMPTS="$WORK/seed-$name/attempts.txt" run "attempts-$name" http://127.0.0.1:4000 --timeout 5s -s bench/attempt.lua
  sleep 15
  pass_to_reward "$name"
}

echo "== one node, $INSTANCES instances of each verticle" >&2
fresh_bench_data
require_free_port
start_azora AZORA_MANAGEMENT_PORT=9090 AZORA_NODE_INSTANCES="$INSTANCES" "${ADMIN[@]}"
ONE_IDLE=$(idle_commits)
ONE_DELIVERIES=$(deliveries_per_event 9090)
ONE_LATENCY=$(pass_to_mined one)
kill "$AZORA_PID"; wait "$AZORA_PID" 2>/dev/null || true

HALF=$(( INSTANCES / 2 > 0 ? INSTANCES / 2 : 1 ))
echo "== two clustered nodes, $HALF instances of each verticle each" >&2
fresh_bench_data
CLUSTER="azora-bench-$$"
start_azora AZORA_MANAGEMENT_PORT=9090 AZORA_NODE_INSTANCES="$HALF" AZORA_NODE_CLUSTER=true AZORA_NODE_CLUSTER_NAME="$CLUSTER" "${ADMIN[@]}"
FIRST_PID=$AZORA_PID
env AZORA_DATABASE_HOST=127.0.0.1 AZORA_DATABASE_AUTH=azora_bench_auth AZORA_DATABASE_FINANCE=azora_bench_mint \
  AZORA_DATABASE_EDUCATION=azora_bench_education AZORA_REDIS_URL=redis://127.0.0.1:6379 AZORA_REDIS_KEY_PREFIX="azora-bench:" \
  AZORA_RATE_LIMIT_ANONYMOUS=100000000 AZORA_RATE_LIMIT_AUTHENTICATED=100000000 AZORA_RATE_LIMIT_LOGIN_PER_IP=100000000 \
  AZORA_HTTP_PORT=4001 AZORA_MANAGEMENT_PORT=9091 AZORA_NODE_INSTANCES="$HALF" AZORA_NODE_CLUSTER=true \
  AZORA_NODE_CLUSTER_NAME="$CLUSTER" "${ADMIN[@]}" java ${AZORA_JAVA_OPTS:-} -jar "$AZORA_JAR" >>"$WORK/azora-2.log" 2>&1 &
SECOND_PID=$!
for i in $(seq 1 120); do
  curl -s http://127.0.0.1:4001/api/health | grep -q '"status":"healthy"' && break
  sleep 0.5
done
TWO_IDLE=$(idle_commits)
TWO_DELIVERIES=$(deliveries_per_event 9090 9091)
TWO_LATENCY=$(pass_to_mined two)
kill "$SECOND_PID" "$FIRST_PID"; wait 2>/dev/null || true
AZORA_PID=

echo "| setup | idle transactions/s | handler invocations per event | attempts req/s | pass -> mined ($CONNS connections) |"
echo "|---|---|---|---|---|"
echo "| one node x $INSTANCES | $ONE_IDLE | $ONE_DELIVERIES | $(rate attempts-one) | $ONE_LATENCY |"
echo "| two nodes x $HALF | $TWO_IDLE | $TWO_DELIVERIES | $(rate attempts-two) | $TWO_LATENCY |"
echo "raw output in $WORK"
