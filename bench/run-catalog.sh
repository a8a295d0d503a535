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
. bench/lib.sh

fresh_bench_data
require_free_port

echo "== starting Azora (catalogue cache 60s)" >&2
# Every course verified for rewards by the first admin (so passes mint, as they would in production), and
# the attempt limit (5 per learner and assessment a day) raised: the bench measures grading and minting.
ADMIN=(AZORA_AUTH_ADMIN_EMAIL=bench-admin@azora.test AZORA_AUTH_ADMIN_PASSWORD=bench-admin-passphrase
  AZORA_EDUCATION_ATTEMPTS_PER_WINDOW=100000000)
start_azora AZORA_EDUCATION_CATALOG_CACHE_SECONDS=60 "${ADMIN[@]}"
echo "== seeding ($LEARNERS learners)" >&2
python3 bench/seed.py --learners "$LEARNERS" --out "$WORK/seed" --admin-email bench-admin@azora.test \
  --admin-password bench-admin-passphrase >&2
BASE_PID=$(../shared/bench/baseline/run.sh)
alternate_rounds redis http://127.0.0.1:8081/redis cached -s bench/catalog.lua
# A first pass may wait up to education.rewardWaitMs (3 s) for its reward: a timeout above that, so such
# answers are measured, not dropped.
ATTEMPTS="$WORK/seed/attempts.txt" wrk -t2 -c"$CONNS" -d15s --timeout 5s -s bench/attempt.lua http://127.0.0.1:4000 >/dev/null 2>&1
ATTEMPTS="$WORK/seed/attempts.txt" run attempts http://127.0.0.1:4000 --timeout 5s -s bench/attempt.lua

kill "$AZORA_PID"; wait "$AZORA_PID" 2>/dev/null || true
echo "== starting Azora (catalogue cache off)" >&2
start_azora AZORA_EDUCATION_CATALOG_CACHE_SECONDS=0 "${ADMIN[@]}"
BASE_WARMUP=0 WARMUPS=2 alternate_rounds redis-u http://127.0.0.1:8081/redis uncached -s bench/catalog.lua

echo "| run | req/s | p50 | p99 | errors |"
echo "|---|---|---|---|---|"
round_rows redis "bare /redis" cached "GET /api/courses?q= (cached)"
for round in 1 2 3; do
  echo "| round $round: bare /redis / GET /api/courses?q= (cache off) | $(rate redis-u-$round) / $(rate uncached-$round) | $(lat uncached-$round 50%) | $(lat uncached-$round 99%) | $(errors uncached-$round) |"
done
FIRSTS=$(awk -F'[:,] *' '/^first passes/ {print $2 " first passes (" $4 " answered before their reward)"}' "$WORK/attempts.txt")
echo "| POST /api/assessments/{id}/attempts (random answers; $FIRSTS) | $(rate attempts) | $(lat attempts 50%) | $(lat attempts 99%) | $(errors attempts) |"
echo
echo "cached catalogue / bare redis per round: ${RATIOS[*]} (%); median ${MEDIAN}% ; raw output in $WORK"
