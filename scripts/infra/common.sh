# Shared helpers for the local infrastructure scripts (sourced, not run).
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
INFRA_DIR=${PARLEY_INFRA_DIR:-$ROOT/.infra}

say() { printf '[%s] %s\n' "$SERVICE_NAME" "$*" >&2; }
die() { say "error: $*"; exit 1; }

need() {
  command -v "$1" >/dev/null 2>&1 || die "$1 is not installed ($2)"
}

pid_alive() {
  [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null
}

# stop_pid PIDFILE SECONDS: SIGTERM, wait, then SIGKILL.
stop_pid() {
  local pidfile=$1 wait_s=$2 pid
  if ! pid_alive "$pidfile"; then
    rm -f "$pidfile"
    say "not running"
    return 0
  fi
  pid=$(cat "$pidfile")
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 $((wait_s * 10))); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    say "did not stop within ${wait_s}s, killing"
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$pidfile"
  say "stopped"
}

# fingerprint FILE...: a short hash of the given files, to notice when a cache is stale.
fingerprint() {
  cat "$@" | sha256sum | cut -c1-16
}

port_busy() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# check_started PIDFILE LOG: the process we started must still be alive once the port answers.
check_started() {
  if ! pid_alive "$1"; then
    tail -n 20 "$2" >&2 || true
    rm -f "$1"
    die "exited during start (log: $2)"
  fi
}
