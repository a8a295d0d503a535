#!/usr/bin/env bash
# Live rooms at scale on one node: SOCKETS (10,000) WebSockets from a separate client process
# (bench/RoomsLoad.java), in rooms of 50 (200 published courses, 4 enrolled learners each holding 12-13
# sockets), ramped in batches of 500; then every socket sends one chat message, paced at RATE (200) a second,
# each delivered to the 50 participants. Reports the server's RSS and heap (idle, connected, after the
# broadcast), the memory per connection, the connect rate and the broadcast latency p50 / p99.
# Needs: PostgreSQL on 127.0.0.1:5432, Redis on 127.0.0.1:6379, a JDK; builds target/azora.jar if missing.
# Usage: bench/run-rooms.sh   (SOCKETS, RATE, BATCH, AZORA_JAVA_OPTS from the environment)
set -euo pipefail
cd "$(dirname "$0")/.."
NO_WRK=1
CONNS=0
. bench/lib.sh
ulimit -n 20000  # each process: the server holds SOCKETS connections, the client as many
export SOCKETS=${SOCKETS:-10000} RATE=${RATE:-200} BATCH=${BATCH:-500}
AZORA_JAVA_OPTS=${AZORA_JAVA_OPTS:-"-Xmx512m -XX:+UseG1GC"}

require_free_port
fresh_bench_data
AZORA_JAVA_OPTS="$AZORA_JAVA_OPTS" start_azora AZORA_AUTH_ACCESS_TOKEN_TTL_SECONDS=3600 AZORA_LOG_LEVEL=WARN \
  AZORA_TUTOR_ROOM_MESSAGES_PER_MINUTE=1000
heap() { jcmd "$AZORA_PID" GC.heap_info 2>/dev/null | awk '/garbage-first heap|total/ {for (i=1;i<=NF;i++) if ($i=="used") {print $(i+1); exit}}'; }
rss_kib() { awk '/VmRSS/ {print $2}' "/proc/$AZORA_PID/status"; }

java -Xmx2g -cp target/azora.jar bench/RoomsLoad.java > "$WORK/load.txt" 2> "$WORK/load.err" &
LOAD_PID=$!
await() { until grep -q "^$1 " "$WORK/load.txt"; do kill -0 "$LOAD_PID" 2>/dev/null || { cat "$WORK/load.err" >&2; exit 1; }; sleep 0.2; done; }
await ready_for_sockets
jcmd "$AZORA_PID" GC.run >/dev/null 2>&1 || true; sleep 1
RSS_IDLE=$(rss_kib); HEAP_IDLE=$(heap)
await connected
sleep 10
jcmd "$AZORA_PID" GC.run >/dev/null 2>&1 || true; sleep 1
RSS_CONNECTED=$(rss_kib); HEAP_CONNECTED=$(heap)
await done
RSS_AFTER=$(rss_kib); HEAP_AFTER=$(heap)
wait "$LOAD_PID" || true
get() { awk -v k="$1" '$1 == k {print $2}' "$WORK/load.txt"; }
per_conn=$(awk -v a="$RSS_IDLE" -v b="$RSS_CONNECTED" -v n="$(get sockets_open)" 'BEGIN {printf "%.1f", (b - a) / n}')

cat <<TABLE
## Live rooms: $SOCKETS WebSockets on one node ($(date -u +%Y-%m-%d), $(nproc) cores, JVM $AZORA_JAVA_OPTS)

| measure | value |
|---|---|
| sockets open / asked | $(get sockets_open) / $SOCKETS |
| connect: seconds, rate (sockets/s, batches of $BATCH) | $(get connect_seconds), $(get connect_rate) |
| server RSS idle → connected → after broadcast | $((RSS_IDLE / 1024)) → $((RSS_CONNECTED / 1024)) → $((RSS_AFTER / 1024)) MiB |
| server heap used idle → connected → after broadcast | $HEAP_IDLE → $HEAP_CONNECTED → $HEAP_AFTER |
| memory per connection (RSS growth / sockets) | $per_conn KiB |
| messages sent (one per socket, $RATE/s), deliveries expected / made | $(get messages_sent), $(get deliveries_expected) / $(get deliveries) |
| broadcast latency p50 / p99 / max | $(get broadcast_p50_ms) / $(get broadcast_p99_ms) / $(get broadcast_max_ms) ms |
| sockets the server closed (code reason: count) | $(get sockets_closed_by_server) $(get close_codes) |
TABLE
echo "(raw: $WORK)" >&2
