#!/usr/bin/env bash
# Local Mongo-compatible server (FerretDB with its SQLite backend) for development and tests.
# Usage: scripts/infra/ferretdb.sh start|build|stop|status|restart
# Environment: FERRETDB_PORT (27017), FERRETDB_INSTANCE (main)
set -euo pipefail
SERVICE_NAME=ferretdb
source "$(dirname "$0")/common.sh"

INSTANCE=${FERRETDB_INSTANCE:-main}
BIN=$INFRA_DIR/ferretdb/bin/ferretdb
HOME_DIR=$INFRA_DIR/ferretdb/$INSTANCE
DATA=$HOME_DIR/data
PIDFILE=$HOME_DIR/ferretdb.pid
LOG=$HOME_DIR/ferretdb.log
PORT=${FERRETDB_PORT:-27017}
SRC=$ROOT/tools/ferretdb

build() {
  local stamp
  stamp=$(fingerprint "$SRC/go.mod" "$SRC/go.sum" "$SRC/main.go")
  if [ -x "$BIN" ] && [ -f "$BIN.stamp" ] && [ "$(cat "$BIN.stamp")" = "$stamp" ]; then
    return 0
  fi
  need go "Go builds the FerretDB launcher"
  say "building the launcher from tools/ferretdb (first build downloads modules)"
  mkdir -p "$(dirname "$BIN")"
  (cd "$SRC" && go build -trimpath -o "$BIN" .) || die "go build failed"
  echo "$stamp" >"$BIN.stamp"
}

start() {
  if pid_alive "$PIDFILE"; then
    say "already running (pid $(cat "$PIDFILE")) on 127.0.0.1:$PORT"
    return 0
  fi
  if port_busy "$PORT"; then
    die "127.0.0.1:$PORT is already in use by another process"
  fi
  build
  mkdir -p "$DATA"
  say "starting on 127.0.0.1:$PORT, data in $DATA"
  setsid "$BIN" -listen "127.0.0.1:$PORT" -data "$DATA" >"$LOG" 2>&1 </dev/null &
  echo $! >"$PIDFILE"
  if ! node "$ROOT/scripts/infra/wait-ready.mjs" mongo "mongodb://127.0.0.1:$PORT/admin" 30000; then
    tail -n 40 "$LOG" >&2 || true
    stop_pid "$PIDFILE" 10
    die "server did not become ready (log: $LOG)"
  fi
  check_started "$PIDFILE" "$LOG"
  say "ready on 127.0.0.1:$PORT"
}

case "${1:-}" in
  start) start ;;
  build) build ;;
  stop) stop_pid "$PIDFILE" 15 ;;
  restart) stop_pid "$PIDFILE" 15; start ;;
  status)
    if pid_alive "$PIDFILE"; then say "running (pid $(cat "$PIDFILE")) on 127.0.0.1:$PORT"; else say "not running"; exit 3; fi ;;
  *) echo "usage: $0 start|build|stop|status|restart" >&2; exit 2 ;;
esac
