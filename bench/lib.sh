# Shared by the bench/run-*.sh scripts (sourced, from the project root, with CONNS set).

# Where a run keeps its output (wrk's, the server's log); the local PostgreSQL the scripts seed and read.
WORK=${WORK:-$(mktemp -d /tmp/azora-bench.XXXXXX)}
export PGHOST=${PGHOST:-127.0.0.1} PGUSER=${PGUSER:-postgres}

[ -n "${NO_WRK:-}" ] || command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk" >&2; exit 1; }
# AZORA_JAR: another build to measure (e.g. an earlier commit's, built in a worktree) with the same script.
AZORA_JAR=${AZORA_JAR:-target/azora.jar}
[ -f "$AZORA_JAR" ] || mvn -B -q -DskipTests package

# Stops what the script started (Azora, the reference server) however it ends.
cleanup() {
  [ -n "${AZORA_PID:-}" ] && kill "$AZORA_PID" 2>/dev/null || true
  [ -n "${BASE_PID:-}" ] && kill "$BASE_PID" 2>/dev/null || true
  wait 2>/dev/null || true
}
trap cleanup EXIT

require_free_port() {
  if curl -fs -o /dev/null http://127.0.0.1:4000/api/health; then
    echo "port 4000 is taken by another server: stop it first" >&2; exit 1
  fi
}

# One measured wrk run: run NAME URL [wrk args...]; output kept in $WORK/NAME.txt and .err.
run() {
  local name=$1 url=$2; shift 2
  echo "== $name" >&2
  wrk -t2 -c"$CONNS" -d"$DURATION" --latency "$@" "$url" > "$WORK/$name.txt" 2> "$WORK/$name.err" || true
  grep Requests/sec "$WORK/$name.txt" >&2 || true
}
rss() { awk '/VmRSS/ {print int($2/1024) " MiB"}' "/proc/$1/status"; }
rate() { awk '/Requests\/sec/ {print $2}' "$WORK/$1.txt"; }
lat() { awk -v p="$2" '$1 == p {print $2}' "$WORK/$1.txt"; }
# Answers the Lua scripts reported as unexpected (bench/common.lua and friends), plus wrk's socket errors
# (connect, read, write, and requests that outlived wrk's --timeout).
errors() {
  local n s
  n=$(grep -c "unexpected status" "$WORK/$1.err" 2>/dev/null || true)
  s=$(awk '/Socket errors/ {gsub(",", ""); print $4 + $6 + $8 + $10}' "$WORK/$1.txt")
  echo $(( ${n:-0} + ${s:-0} ))
}
non2xx() { awk '/Non-2xx/ {print $NF}' "$WORK/$1.txt"; }

# Fresh bench databases and Redis keys (every domain's: Azora runs them all by default).
fresh_bench_data() {
  for db in azora_bench_auth azora_bench_mint azora_bench_education azora_bench_tutoring azora_bench_forge; do
    psql -d postgres -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)"
  done
  redis-cli -h 127.0.0.1 --scan --pattern 'azora-bench:*' | xargs -r redis-cli -h 127.0.0.1 del >/dev/null
}

# Starts Azora on the bench databases, real PostgreSQL and Redis, rate limits out of the way, with the
# extra settings given (start_azora VAR=value ...; AZORA_JAVA_OPTS for the JVM), and waits until healthy.
start_azora() {
  env AZORA_DATABASE_HOST=127.0.0.1 AZORA_DATABASE_AUTH=azora_bench_auth AZORA_DATABASE_FINANCE=azora_bench_mint \
    AZORA_DATABASE_EDUCATION=azora_bench_education AZORA_DATABASE_TUTORING=azora_bench_tutoring AZORA_DATABASE_MARKETPLACE=azora_bench_forge AZORA_REDIS_URL=redis://127.0.0.1:6379 \
    AZORA_REDIS_KEY_PREFIX="azora-bench:" AZORA_MANAGEMENT_PORT=0 \
    AZORA_RATE_LIMIT_ANONYMOUS=100000000 AZORA_RATE_LIMIT_AUTHENTICATED=100000000 \
    AZORA_RATE_LIMIT_LOGIN_PER_IP=100000000 "$@" \
    java ${AZORA_JAVA_OPTS:-} -jar "$AZORA_JAR" >>"$WORK/azora.log" 2>&1 &
  AZORA_PID=$!
  for i in $(seq 1 120); do
    curl -s http://127.0.0.1:4000/api/health | grep -q '"status":"healthy"' && return 0
    kill -0 "$AZORA_PID" 2>/dev/null || { tail -5 "$WORK/azora.log" >&2; exit 1; }
    sleep 0.5
  done
  echo "Azora did not become healthy" >&2; exit 1
}

# Warm-up, then three alternating rounds of the reference route and Azora (the machine's drift hits both
# alike): alternate_rounds BASE_NAME BASE_URL NAME [wrk args for Azora...]. The JIT needs a while on two
# shared cores: BASE_WARMUP (20s; 0 to skip) of the reference, WARMUPS (3) × 15 s of Azora first.
alternate_rounds() {
  local base=$1 url=$2 name=$3; shift 3
  [ "${BASE_WARMUP:-20s}" = 0 ] || wrk -t2 -c"$CONNS" -d"${BASE_WARMUP:-20s}" "$url" >/dev/null
  for i in $(seq 1 "${WARMUPS:-3}"); do wrk -t2 -c"$CONNS" -d15s "$@" http://127.0.0.1:4000 >/dev/null 2>&1; done
  for round in 1 2 3; do
    run "$base-$round" "$url"
    run "$name-$round" http://127.0.0.1:4000 "$@"
  done
}

# The table rows of those rounds: round_rows BASE_NAME BASE_LABEL NAME LABEL; sets RATIOS (Azora / reference
# per round, %) and MEDIAN.
round_rows() {
  local base=$1 base_label=$2 name=$3 label=$4 b a round
  RATIOS=()
  for round in 1 2 3; do
    b=$(rate "$base-$round"); a=$(rate "$name-$round")
    RATIOS+=("$(awk -v a="$a" -v b="$b" 'BEGIN {printf "%.0f", 100 * a / b}')")
    echo "| round $round: $base_label (reference) | $b | $(lat "$base-$round" 50%) | $(lat "$base-$round" 99%) | $(non2xx "$base-$round") |"
    echo "| round $round: $label | $a | $(lat "$name-$round" 50%) | $(lat "$name-$round" 99%) | $(errors "$name-$round") |"
  done
  MEDIAN=$(printf '%s\n' "${RATIOS[@]}" | sort -n | sed -n 2p)
}

# The admin's access token (login EMAIL PASSWORD), from the node on port 4000.
login() { curl -fs -X POST http://127.0.0.1:4000/api/auth/login -H "Content-Type: application/json" \
  -d "{\"email\":\"$1\",\"password\":\"$2\"}" | sed -e 's/.*"accessToken":"\([^"]*\)".*/\1/'; }

# Registers USERS users on the node on port 4000: "accessToken userId" lines in $WORK/users.txt (one printf
# per user, so parallel jobs never interleave their lines).
register_users() {
  echo "== registering $USERS users" >&2
  seq 1 "$USERS" | xargs -P 4 -I{} sh -c \
    'printf "%s\n" "$(curl -fs -X POST http://127.0.0.1:4000/api/auth/register -H "Content-Type: application/json" \
       -d "{\"email\":\"bench{}-$$@azora.test\",\"password\":\"bench-passphrase-{}\",\"name\":\"Bench {}\"}" \
     | sed -e "s/.*\"user\":{\"id\":\"\([^\"]*\)\".*\"accessToken\":\"\([^\"]*\)\".*/\2 \1/")"' | grep '^eyJ' > "$WORK/users.txt"
  echo "$(wc -l < "$WORK/users.txt") users" >&2
}

# register_users, then grants each 10,000 AZR (register_funded_users ADMIN_TOKEN).
register_funded_users() {
  register_users
  cut -d' ' -f2 "$WORK/users.txt" | xargs -P 4 -I{} curl -fs -o /dev/null -X POST \
    "http://127.0.0.1:4000/api/admin/wallets/{}/grants" -H "Authorization: Bearer $1" \
    -H "Content-Type: application/json" -d '{"amount":"10000","reason":"bench funds"}'
}

# How long first passes waited for their Proof-of-Knowledge reward, from the bench databases:
# pass_to_reward NAME [SINCE (epoch seconds; passes before it are left out)]. "Mint began" is the reward
# row's mined_at; "reward out" is when finance's tokens.mined left its outbox (so after the mint
# committed): what a learner waits for. Prints "N rewards; mint began p50/p99/max; reward out p50/p99/max".
pass_to_reward() {
  local name=$1 since=${2:-0}
  psql -d azora_bench_education -tAc "SELECT student_id || ' ' || assessment_id || ' ' || extract(epoch FROM passed_at)
    FROM passes WHERE passed_at >= to_timestamp($since)" > "$WORK/passes-$name.txt"
  psql -d azora_bench_mint -tAc "SELECT r.user_id || ' ' || r.activity_id || ' ' || extract(epoch FROM r.mined_at) || ' '
      || coalesce(extract(epoch FROM o.published_at)::text, '-')
    FROM mining_rewards r LEFT JOIN nexus_outbox o ON o.type = 'tokens.mined' AND (o.envelope->'data'->>'rewardId')::uuid = r.id
    WHERE r.activity_type = 'assessment_passed'" > "$WORK/mined-$name.txt"
  python3 - "$WORK/passes-$name.txt" "$WORK/mined-$name.txt" <<'PY'
import sys
passed = {}
for line in open(sys.argv[1]):
    a, b, t = line.split(); passed[(a, b)] = float(t)
began, out = [], []
for a, b, t, o in (l.split() for l in open(sys.argv[2])):
    if (a, b) in passed:
        began.append(float(t) - passed[(a, b)])
        if o != '-':
            out.append(float(o) - passed[(a, b)])
def q(lat):
    lat.sort()
    return f"p50 {lat[len(lat) // 2]:.3f} s, p99 {lat[int(len(lat) * 0.99)]:.3f} s, max {lat[-1]:.3f} s" if lat else "none"
print(f"{len(began)} rewards of {len(passed)} first passes; mint began {q(began)}; reward out {q(out)}")
PY
}
