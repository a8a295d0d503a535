#!/usr/bin/env bash
# Marketplace at scale: 100,000 people's verified skills and 10,000 open jobs (bench/market-seed.sql, written
# into the marketplace's database), then GET /api/me/job-matches (200 signed-in users, each with 4 verified
# skills) and GET /api/jobs?q= against the bare Vert.x reference server's /db in this same run, three
# alternating rounds each, median ratio. Target: >= 30 % of /db with p99 < 100 ms.
# Needs: wrk, python3, PostgreSQL on 127.0.0.1:5432 and Redis on 127.0.0.1:6379, a built target/azora.jar.
# Usage: bench/run-market.sh [duration=15s] [connections=64]
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${1:-15s}
CONNS=${2:-64}
USERS=${USERS:-200}
. bench/lib.sh

fresh_bench_data
require_free_port
echo "== starting Azora" >&2
start_azora
echo "== registering $USERS users" >&2
seq 1 "$USERS" | xargs -P 8 -I{} curl -fs -X POST http://127.0.0.1:4000/api/auth/register \
  -H "Content-Type: application/json" \
  -d "{\"email\":\"market{}-$$@bench.test\",\"password\":\"market-bench-passphrase-{}\",\"name\":\"M\"}" \
  > "$WORK/registered.json"
# One JSON object per registration, concatenated: split them.
python3 - "$WORK" <<'PY'
import json, sys
work = sys.argv[1]
text = open(work + "/registered.json").read()
decoder, i, tokens, ids = json.JSONDecoder(), 0, [], []
while i < len(text):
    obj, i = decoder.raw_decode(text, i)
    tokens.append(obj["accessToken"]); ids.append(obj["user"]["id"])
open(work + "/tokens.txt", "w").write("\n".join(tokens) + "\n")
open(work + "/ids.txt", "w").write(",".join(ids))
PY
echo "== seeding 100,000 people and 10,000 jobs" >&2
psql -q -d azora_bench_forge -v real="$(cat "$WORK/ids.txt")" -f bench/market-seed.sql
BASE_PID=$(../shared/bench/baseline/run.sh)
TOKENS="$WORK/tokens.txt" alternate_rounds db http://127.0.0.1:8081/db matches -s bench/job-matches.lua
BASE_WARMUP=0 WARMUPS=1 alternate_rounds db-s http://127.0.0.1:8081/db search -s bench/jobs-search.lua

echo "| run | req/s | p50 | p99 | errors |"
echo "|---|---|---|---|---|"
round_rows db "bare /db" matches "GET /api/me/job-matches"
MATCHES=$MEDIAN
round_rows db-s "bare /db" search "GET /api/jobs?q="
echo
echo "job-matches / bare db: median ${MATCHES}% ; jobs?q / bare db: median ${MEDIAN}% ; raw output in $WORK"
