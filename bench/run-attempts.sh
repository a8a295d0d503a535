#!/usr/bin/env bash
# Attempts and their rewards: POST /api/assessments/{id}/attempts by enrolled learners with random answers
# (bench/attempt.lua), and how long each first pass waits for its Proof-of-Knowledge reward (education →
# Nexus → finance mints → Nexus → education), measured from the databases over the measured run only.
# The same load as run-catalog.sh's attempts row, on its own, so it can be run against another build:
# AZORA_JAR=/path/to/other/azora.jar bench/run-attempts.sh.
# Needs: wrk, python3, PostgreSQL on 127.0.0.1:5432 and Redis on 127.0.0.1:6379, a built target/azora.jar.
# Usage: bench/run-attempts.sh [learners=1000] [duration=15s] [connections=256]
set -euo pipefail
cd "$(dirname "$0")/.."
LEARNERS=${1:-1000}
DURATION=${2:-15s}
CONNS=${3:-256}
. bench/lib.sh

fresh_bench_data
require_free_port
echo "== starting Azora ($AZORA_JAR)" >&2
# Every course verified for rewards by the first admin (so passes mint), the attempt limit raised.
start_azora AZORA_AUTH_ADMIN_EMAIL=bench-admin@azora.test AZORA_AUTH_ADMIN_PASSWORD=bench-admin-passphrase \
  AZORA_EDUCATION_ATTEMPTS_PER_WINDOW=100000000 AZORA_LOG_LEVEL=WARN
echo "== seeding ($LEARNERS learners)" >&2
python3 bench/seed.py --learners "$LEARNERS" --out "$WORK/seed" --admin-email bench-admin@azora.test \
  --admin-password bench-admin-passphrase >&2
# A first pass may wait up to education.rewardWaitMs (3 s) for its reward: a timeout above that, so such
# answers are measured, not dropped. The warm-up takes most first passes; the measured run holds the rest.
ATTEMPTS="$WORK/seed/attempts.txt" wrk -t2 -c"$CONNS" -d15s --timeout 5s -s bench/attempt.lua http://127.0.0.1:4000 >/dev/null 2>&1
SINCE=$(date +%s.%N)
ATTEMPTS="$WORK/seed/attempts.txt" run attempts http://127.0.0.1:4000 --timeout 5s -s bench/attempt.lua
sleep 10  # rewards still queued when the load stops are counted too
FIRSTS=$(awk -F'[:,] *' '/^first passes/ {print $2 " first passes (" $4 " answered before their reward)"}' "$WORK/attempts.txt")
REWARDS=$(pass_to_reward measured "$SINCE")

echo "| attempts req/s | p50 | p99 | errors | first passes | pass → reward |"
echo "|---|---|---|---|---|---|"
echo "| $(rate attempts) | $(lat attempts 50%) | $(lat attempts 99%) | $(errors attempts) | $FIRSTS | $REWARDS |"
echo "raw output in $WORK"
