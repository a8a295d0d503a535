#!/usr/bin/env bash
# Catalogue benchmark: GET /api/courses?q=... (cached, then with the cache off) and assessment attempts,
# against the bare Vert.x reference server's /redis route, in this same run on this machine, three
# alternating rounds each, median ratio. Seeds the catalogue through the API first (bench/seed.py).
# Needs: wrk, python3, PostgreSQL on 127.0.0.1:5432 and Redis on 127.0.0.1:6379, a built target/azora.jar.
# Usage: bench/run-catalog.sh [learners=1000] [duration=15s] [connections=256]
set -euo pipefail
cd "$(dirname "$0")/.."
LEARNERS=${1:-1000}
DURATION=${2:-15s}
CONNS=${3:-256}
WORK=$(mktemp -d /tmp/azora-bench.XXXXXX)
export PGHOST=127.0.0.1 PGUSER=postgres
. bench/lib.sh

for db in azora_bench_auth azora_bench_mint azora_bench_education; do psql -d postgres -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)"; done
redis-cli -h 127.0.0.1 --scan --pattern 'azora-bench:*' | xargs -r redis-cli -h 127.0.0.1 del >/dev/null
require_free_port

start_azora() { # cache seconds
  echo "== starting Azora (catalogue cache ${1}s)" >&2
  AZORA_DATABASE_HOST=127.0.0.1 AZORA_DATABASE_AUTH=azora_bench_auth AZORA_DATABASE_FINANCE=azora_bench_mint \
  AZORA_DATABASE_EDUCATION=azora_bench_education AZORA_REDIS_URL=redis://127.0.0.1:6379 \
  AZORA_REDIS_KEY_PREFIX="azora-bench:" AZORA_MANAGEMENT_PORT=0 AZORA_EDUCATION_CATALOG_CACHE_SECONDS="$1" \
  AZORA_RATE_LIMIT_ANONYMOUS=100000000 AZORA_RATE_LIMIT_AUTHENTICATED=100000000 AZORA_RATE_LIMIT_LOGIN_PER_IP=100000000 \
    java ${AZORA_JAVA_OPTS:-} -jar target/azora.jar >>"$WORK/azora.log" 2>&1 &
  AZORA_PID=$!
  for i in $(seq 1 120); do
    [ "$(curl -s http://127.0.0.1:4000/api/health | grep -o '"status":"healthy"')" ] && return 0
    kill -0 "$AZORA_PID" 2>/dev/null || { tail -5 "$WORK/azora.log" >&2; exit 1; }
    sleep 0.5
  done
}

start_azora 60
echo "== seeding ($LEARNERS learners)" >&2
python3 bench/seed.py --learners "$LEARNERS" --out "$WORK/seed" >&2
BASE_PID=$(../shared/bench/baseline/run.sh)
wrk -t2 -c"$CONNS" -d20s http://127.0.0.1:8081/redis >/dev/null
for i in 1 2 3; do wrk -t2 -c"$CONNS" -d15s -s bench/catalog.lua http://127.0.0.1:4000 >/dev/null 2>&1; done
for round in 1 2 3; do
  run redis-$round http://127.0.0.1:8081/redis
  run cached-$round http://127.0.0.1:4000 -s bench/catalog.lua
done
# A first pass may wait up to education.rewardWaitMs (3 s) for its reward: a timeout above that, so such
# answers are measured, not dropped.
ATTEMPTS="$WORK/seed/attempts.txt" wrk -t2 -c"$CONNS" -d15s --timeout 5s -s bench/attempt.lua http://127.0.0.1:4000 >/dev/null 2>&1
ATTEMPTS="$WORK/seed/attempts.txt" run attempts http://127.0.0.1:4000 --timeout 5s -s bench/attempt.lua

kill "$AZORA_PID"; wait "$AZORA_PID" 2>/dev/null || true
start_azora 0
for i in 1 2; do wrk -t2 -c"$CONNS" -d15s -s bench/catalog.lua http://127.0.0.1:4000 >/dev/null 2>&1; done
for round in 1 2 3; do
  run redis-u$round http://127.0.0.1:8081/redis
  run uncached-$round http://127.0.0.1:4000 -s bench/catalog.lua
done

echo "| run | req/s | p50 | p99 | errors |"
echo "|---|---|---|---|---|"
RATIOS=()
for round in 1 2 3; do
  B=$(rate redis-$round); C=$(rate cached-$round)
  RATIOS+=("$(awk -v c="$C" -v b="$B" 'BEGIN {printf "%.0f", 100 * c / b}')")
  echo "| round $round: bare /redis (reference) | $B | $(lat redis-$round 50%) | $(lat redis-$round 99%) | |"
  echo "| round $round: GET /api/courses?q= (cached) | $C | $(lat cached-$round 50%) | $(lat cached-$round 99%) | $(errors cached-$round) |"
done
for round in 1 2 3; do
  echo "| round $round: bare /redis / GET /api/courses?q= (cache off) | $(rate redis-u$round) / $(rate uncached-$round) | $(lat uncached-$round 50%) | $(lat uncached-$round 99%) | $(errors uncached-$round) |"
done
FIRSTS=$(awk -F'[:,] *' '/^first passes/ {print $2 " first passes (" $4 " answered before their reward)"}' "$WORK/attempts.txt")
echo "| POST /api/assessments/{id}/attempts (random answers; $FIRSTS) | $(rate attempts) | $(lat attempts 50%) | $(lat attempts 99%) | $(errors attempts) |"
MEDIAN=$(printf '%s\n' "${RATIOS[@]}" | sort -n | sed -n 2p)
echo
echo "cached catalogue / bare redis per round: ${RATIOS[*]} (%); median ${MEDIAN}% ; raw output in $WORK"
