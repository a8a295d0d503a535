#!/usr/bin/env bash
# Scale-out: throughput of authenticated reads (GET /api/auth/profile) and transfers (POST
# /api/wallet/transfers) with 1, 2 and 3 clustered nodes on this machine, each node running the gateway and
# every domain (ports 4000, 4001, 4002), one wrk per node at once, the sum reported. On 2 shared cores a
# second node cannot add cores, only contention (and wrk shares them too): the figures say what the cluster
# costs, not what more machines would give. docs/SCALING.md says what scales and where the walls are.
# Needs: wrk, PostgreSQL on 127.0.0.1:5432 and Redis on 127.0.0.1:6379, a built target/azora.jar.
# Usage: bench/run-scaleout.sh [duration=15s] [connections per node=64]
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${1:-15s}
CONNS=${2:-64}
USERS=${USERS:-200}
ADMIN_EMAIL=bench-admin@azora.test
ADMIN_PASSWORD=bench-admin-passphrase
CLUSTER=azora-bench-$$
. bench/lib.sh

PIDS=()
cleanup_nodes() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup_nodes EXIT

# start_node PORT: a clustered node on the bench databases (pools of 8: three nodes × five domains fit
# PostgreSQL's 100 connections), waits until its gateway answers healthy.
start_node() {
  env AZORA_DATABASE_HOST=127.0.0.1 AZORA_DATABASE_AUTH=azora_bench_auth AZORA_DATABASE_FINANCE=azora_bench_mint \
    AZORA_DATABASE_EDUCATION=azora_bench_education AZORA_DATABASE_TUTORING=azora_bench_tutoring \
    AZORA_DATABASE_MARKETPLACE=azora_bench_forge AZORA_DATABASE_POOL_SIZE=6 AZORA_REDIS_URL=redis://127.0.0.1:6379 \
    AZORA_REDIS_KEY_PREFIX="azora-bench:" AZORA_MANAGEMENT_PORT=0 AZORA_HTTP_PORT="$1" \
    AZORA_NODE_CLUSTER_NAME="$CLUSTER" AZORA_AUTH_ADMIN_EMAIL=$ADMIN_EMAIL AZORA_AUTH_ADMIN_PASSWORD=$ADMIN_PASSWORD \
    AZORA_RATE_LIMIT_ANONYMOUS=100000000 AZORA_RATE_LIMIT_AUTHENTICATED=100000000 AZORA_RATE_LIMIT_LOGIN_PER_IP=100000000 \
    java ${AZORA_JAVA_OPTS:-} -jar "$AZORA_JAR" --cluster >>"$WORK/node-$1.log" 2>&1 &
  PIDS+=($!)
  for i in $(seq 1 240); do
    curl -s "http://127.0.0.1:$1/api/health" | grep -q '"status":"healthy"' && return 0
    sleep 0.5
  done
  echo "node on $1 did not become healthy" >&2; tail -5 "$WORK/node-$1.log" >&2; exit 1
}

fresh_bench_data
require_free_port
echo "== starting node 1" >&2
start_node 4000
ADMIN=$(login $ADMIN_EMAIL $ADMIN_PASSWORD)
register_funded_users "$ADMIN"
cut -d' ' -f1 "$WORK/users.txt" > "$WORK/tokens.txt"

# measure NAME SCRIPT PORTS...: one wrk per port at once; prints the summed req/s and the worst p99.
measure() {
  local name=$1 script=$2; shift 2
  local wrks=()
  for port in "$@"; do
    TOKENS="$WORK/tokens.txt" USERS_FILE="$WORK/users.txt" wrk -t1 -c"$CONNS" -d"$DURATION" --latency -s "$script" \
      "http://127.0.0.1:$port" > "$WORK/$name-$port.txt" 2>"$WORK/$name-$port.err" &
    wrks+=($!)
  done
  wait "${wrks[@]}" || true
  local total=0 worst=0
  for port in "$@"; do
    total=$(awk -v t="$total" '/Requests\/sec/ {print t + $2}' "$WORK/$name-$port.txt")
    worst=$(awk -v w="$worst" '$1 == "99%" {v=$2; if (v ~ /ms$/) {sub("ms","",v)} else if (v ~ /us$/) {sub("us","",v); v=v/1000} else if (v ~ /s$/) {sub("s","",v); v=v*1000}; print (v > w ? v : w)}' "$WORK/$name-$port.txt")
  done
  printf '%s|%.0f|%.1f ms\n' "$name" "$total" "$worst"
}

echo "| nodes | profile reads req/s | p99 (worst node) | transfers req/s | p99 (worst node) |"
echo "|---|---|---|---|---|"
PORTS=(4000)
for n in 1 2 3; do
  if [ "$n" -gt 1 ]; then
    echo "== starting node $n" >&2
    start_node $((3999 + n))
    PORTS+=($((3999 + n)))
    sleep 10  # the new node's registrations settle in every node's view
  fi
  # Warm-up of every node, then the measured runs.
  DURATION=10s measure warm bench/profile.lua "${PORTS[@]}" >/dev/null
  r=$(measure "reads-$n" bench/profile.lua "${PORTS[@]}")
  t=$(measure "transfers-$n" bench/transfer.lua "${PORTS[@]}")
  echo "| $n | $(echo "$r" | cut -d'|' -f2) | $(echo "$r" | cut -d'|' -f3) | $(echo "$t" | cut -d'|' -f2) | $(echo "$t" | cut -d'|' -f3) |"
done
curl -fs http://127.0.0.1:4000/api/ledger/verify -H "Authorization: Bearer $ADMIN" | grep -o '"ok":[a-z]*' >&2
echo "raw output in $WORK" >&2
