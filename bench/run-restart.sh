#!/usr/bin/env bash
# Time to ready of a node joining a cluster: a first clustered node (every verticle) is started and left
# idle, then a second node of every verticle is started and timed until its /api/health says healthy;
# RUNS times, each on fresh databases. CDS=1 first makes a class-data-sharing archive
# (tools/cds-archive.sh) and starts the second node with it.
# Needs: PostgreSQL on 127.0.0.1:5432 and Redis on 127.0.0.1:6379, a built target/azora.jar.
# Usage: [CDS=1] bench/run-restart.sh [runs=5]
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-5}
NO_WRK=1 . bench/lib.sh
JAR=$(realpath "$AZORA_JAR")
EXTRA=()
if [ -n "${CDS:-}" ]; then
  tools/cds-archive.sh "$JAR" "$WORK/azora.jsa" >&2
  EXTRA=(-XX:SharedArchiveFile="$WORK/azora.jsa" -Xlog:cds=off -Xlog:cds+dynamic=off)
fi

healthy() { curl -s "http://127.0.0.1:$1/api/health" | grep -q '"status":"healthy"'; }

for run in $(seq 1 "$RUNS"); do
  fresh_bench_data
  COMMON=(AZORA_DATABASE_HOST=127.0.0.1 AZORA_DATABASE_AUTH=azora_bench_auth AZORA_DATABASE_FINANCE=azora_bench_mint
    AZORA_DATABASE_EDUCATION=azora_bench_education AZORA_DATABASE_TUTORING=azora_bench_tutoring
    AZORA_DATABASE_MARKETPLACE=azora_bench_forge AZORA_REDIS_URL=redis://127.0.0.1:6379 AZORA_REDIS_KEY_PREFIX=azora-bench:
    AZORA_NODE_CLUSTER=true AZORA_NODE_CLUSTER_NAME="azora-restart-$$-$run" AZORA_DATABASE_POOL_SIZE=4 AZORA_MANAGEMENT_PORT=0)
  env "${COMMON[@]}" AZORA_HTTP_PORT=4100 java -jar "$JAR" >"$WORK/first-$run.log" 2>&1 &
  AZORA_PID=$!
  until healthy 4100; do sleep 0.2; done
  sleep 3
  T0=$(date +%s%N)
  env "${COMMON[@]}" AZORA_HTTP_PORT=4101 java "${EXTRA[@]}" -jar "$JAR" >"$WORK/second-$run.log" 2>&1 &
  SECOND=$!
  until healthy 4101; do sleep 0.05; done
  T1=$(date +%s%N)
  echo "run $run: second node ready after $(( (T1 - T0) / 1000000 )) ms"
  kill "$SECOND" "$AZORA_PID"; wait "$SECOND" "$AZORA_PID" 2>/dev/null || true
  AZORA_PID=
done
echo "logs in $WORK"
