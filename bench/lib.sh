# Shared by the bench/run-*.sh scripts (sourced, from the project root, with WORK and CONNS set).

command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk" >&2; exit 1; }
[ -f target/azora.jar ] || mvn -B -q -DskipTests package

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
