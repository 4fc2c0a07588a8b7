#!/usr/bin/env bash
# Local Apache Kafka (one KRaft broker+controller node) for development and tests.
# Usage: scripts/infra/kafka.sh fetch|start|stop|status|restart
# Environment: KAFKA_PORT (9092), KAFKA_CONTROLLER_PORT (9093), KAFKA_INSTANCE (main), KAFKA_HEAP (512m)
set -euo pipefail
SERVICE_NAME=kafka
source "$(dirname "$0")/common.sh"

# Instances share the jar cache; each has its own data, port and pid (fault tests stop their own).
INSTANCE=${KAFKA_INSTANCE:-main}
LIB=$INFRA_DIR/kafka/lib
HOME_DIR=$INFRA_DIR/kafka/$INSTANCE
DATA=$HOME_DIR/data
PIDFILE=$HOME_DIR/kafka.pid
LOG=$HOME_DIR/kafka.log
PORT=${KAFKA_PORT:-9092}
CONTROLLER_PORT=${KAFKA_CONTROLLER_PORT:-9093}
HEAP=${KAFKA_HEAP:-512m}
POM=$ROOT/scripts/infra/kafka/pom.xml

resolve_jars() {
  local stamp
  stamp=$(fingerprint "$POM")
  if [ -f "$LIB/.resolved" ] && [ "$(cat "$LIB/.resolved")" = "$stamp" ]; then
    return 0
  fi
  need java "Java 17 or newer runs the broker"
  need mvn "Maven resolves the broker jars"
  say "resolving broker jars with Maven into $LIB"
  rm -rf "$LIB"
  mkdir -p "$LIB"
  mvn -q -B -f "$POM" dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$LIB" \
    || die "Maven could not resolve the Kafka jars"
  echo "$stamp" >"$LIB/.resolved"
}

write_config() {
  mkdir -p "$HOME_DIR"
  cat >"$HOME_DIR/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$CONTROLLER_PORT
listeners=PLAINTEXT://127.0.0.1:$PORT,CONTROLLER://127.0.0.1:$CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$PORT
controller.listener.names=CONTROLLER
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
inter.broker.listener.name=PLAINTEXT
log.dirs=$DATA
num.partitions=12
auto.create.topics.enable=false
delete.topic.enable=true
offsets.topic.replication.factor=1
offsets.topic.num.partitions=12
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
group.initial.rebalance.delay.ms=0
num.network.threads=2
num.io.threads=4
log.retention.ms=-1
PROPS
  cat >"$HOME_DIR/log4j.properties" <<PROPS
log4j.rootLogger=WARN, stdout
log4j.appender.stdout=org.apache.log4j.ConsoleAppender
log4j.appender.stdout.layout=org.apache.log4j.PatternLayout
log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.kafka.server.KafkaRaftServer=INFO
PROPS
}

JAVA=(java "-Xmx$HEAP" -Xms128m -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -Djava.awt.headless=true
  "-Dlog4j.configuration=file:$HOME_DIR/log4j.properties" -cp "$LIB/*")

format_storage() {
  if [ -f "$DATA/meta.properties" ]; then
    return 0
  fi
  say "formatting KRaft storage in $DATA"
  local cluster_id
  cluster_id=$("${JAVA[@]}" kafka.tools.StorageTool random-uuid)
  "${JAVA[@]}" kafka.tools.StorageTool format -t "$cluster_id" -c "$HOME_DIR/server.properties" >/dev/null \
    || die "could not format KRaft storage"
}

start() {
  if pid_alive "$PIDFILE"; then
    say "already running (pid $(cat "$PIDFILE")) on 127.0.0.1:$PORT"
    return 0
  fi
  need java "Java 17 or newer runs the broker"
  resolve_jars
  write_config
  format_storage
  say "starting on 127.0.0.1:$PORT (heap $HEAP)"
  # setsid: the broker must outlive the shell that started it and not get its signals.
  setsid "${JAVA[@]}" kafka.Kafka "$HOME_DIR/server.properties" >"$LOG" 2>&1 </dev/null &
  echo $! >"$PIDFILE"
  if ! node "$ROOT/scripts/infra/wait-ready.mjs" kafka "127.0.0.1:$PORT" 90000; then
    tail -n 40 "$LOG" >&2 || true
    stop_pid "$PIDFILE" 10
    die "broker did not become ready (log: $LOG)"
  fi
  check_started "$PIDFILE" "$LOG"
  say "ready on 127.0.0.1:$PORT"
}

case "${1:-}" in
  fetch) resolve_jars ;;
  start) start ;;
  stop) stop_pid "$PIDFILE" 30 ;;
  restart) stop_pid "$PIDFILE" 30; start ;;
  status)
    if pid_alive "$PIDFILE"; then say "running (pid $(cat "$PIDFILE")) on 127.0.0.1:$PORT"; else say "not running"; exit 3; fi ;;
  *) echo "usage: $0 fetch|start|stop|status|restart" >&2; exit 2 ;;
esac
