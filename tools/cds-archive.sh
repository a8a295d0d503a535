#!/usr/bin/env bash
# Makes a class-data-sharing archive of Azora's classes (AppCDS): a node started with
#   java -XX:SharedArchiveFile=azora.jsa -jar azora.jar
# maps the classes it loads at start (Vert.x, Hazelcast, Netty, Flyway, ...) instead of parsing and
# verifying them: measured on 2 cores, a node joining a cluster is ready ~1 s sooner (bench/RESULTS.md).
# The archive belongs to one JDK build and one jar path: make it where the node runs (the image does).
# A missing or stale archive is only a warning: the JVM starts without it.
# It trains on one clustered node with embedded PostgreSQL and Redis, asks a few routes, and stops it.
# Usage: tools/cds-archive.sh [jar=target/azora.jar] [archive=target/azora.jsa]   (JAVA_OPTS are passed on)
set -euo pipefail
JAR=$(realpath "${1:-target/azora.jar}")  # the path the node runs it from, exactly
ARCHIVE=${2:-target/azora.jsa}
PORT=${CDS_TRAINING_PORT:-4190}
DATA=$(mktemp -d)
trap 'rm -rf "$DATA"' EXIT

# Without curl (the runtime image has none): one HTTP/1.0 GET over bash's /dev/tcp; prints the status line.
status() {
  timeout 5 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$0" || exit 1
    printf "GET %s HTTP/1.0\r\nHost: localhost\r\n\r\n" "$1" >&3
    head -n 1 <&3' "$PORT" "$1"
}

env -u AZORA_DATABASE_HOST -u AZORA_DATABASE_URL -u AZORA_REDIS_URL AZORA_HTTP_PORT="$PORT" AZORA_MANAGEMENT_PORT=0 \
  AZORA_NODE_DATA_DIR="$DATA" AZORA_NODE_CLUSTER_NAME="cds-training-$$" AZORA_LOG_LEVEL=WARN \
  java -XX:ArchiveClassesAtExit="$ARCHIVE" -Xlog:cds=off -Xlog:cds+dynamic=off ${JAVA_OPTS:-} -jar "$JAR" --cluster >"$DATA/training.log" 2>&1 &
PID=$!
for _ in $(seq 1 360); do
  if status /api/health 2>/dev/null | grep -q ' 200 '; then
    break
  fi
  kill -0 "$PID" 2>/dev/null || { tail -20 "$DATA/training.log" >&2; echo "the training node died" >&2; exit 1; }
  sleep 0.5
done
for path in /api/health /api/courses /api/mining/stats /api/jobs /openapi.yaml; do
  status "$path" >/dev/null 2>&1 || true
done
kill -TERM "$PID"  # the archive is written as the JVM exits
for _ in $(seq 1 120); do
  kill -0 "$PID" 2>/dev/null || break
  sleep 0.5
done
kill -9 "$PID" 2>/dev/null || true  # a node that would not stop in a minute: no archive, the image still builds
wait "$PID" || true
[ -s "$ARCHIVE" ] && echo "archive: $ARCHIVE ($(du -h "$ARCHIVE" | cut -f1))"
